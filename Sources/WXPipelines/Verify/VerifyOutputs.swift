import Foundation
import WXIO

/// Writes every output of a scorecard into a run directory: scores.csv, scores.nc, diagnostics.nc, figures/*.svg
/// and, when asked, partials.json. All are written under a hidden staging directory first and moved to their final
/// names only when every one was written, so a failure leaves no output behind.
public enum VerifyOutputs {
    /// Writes the outputs; returns the paths written. A directory holding anything is refused unless `overwrite`.
    @discardableResult
    public static func write(_ card: Scorecard, toDirectory path: String, partials: Bool, figures: Bool, overwrite: Bool = false) throws -> [String] {
        try write(card, staging: try OutputStaging(finalDirectory: path, overwrite: overwrite), partials: partials, figures: figures)
    }

    /// Writes the outputs into `staging` and commits them; on any error nothing is left under a final name.
    static func write(_ card: Scorecard, staging: OutputStaging, partials: Bool, figures: Bool) throws -> [String] {
        let dir = staging.directory
        var out: [String] = []
        do {
            try ScoresCSV.write(card, toDirectory: dir); out.append("scores.csv")
            try ScoresNetCDF.writeScores(card, toDirectory: dir); out.append("scores.nc")
            try ScoresNetCDF.writeDiagnostics(card, toDirectory: dir); out.append("diagnostics.nc")
            if partials { try VerificationPartials(card).write(toDirectory: dir); out.append(VerificationPartials.fileName) }
            if figures {
                out += try VerificationFigures.write(card, toDirectory: dir.appendingPathComponent("figures")).map { "figures/" + $0 }
            }
        } catch {
            staging.discard()
            throw error
        }
        return try staging.commit(out)
    }

    /// Opens the files named in the options (the forecast may be a reforecast RUNDIR, read part by part), verifies, and writes the outputs if `outDirectory` is set. The options
    /// and the output directory are checked before any file is read.
    public static func verify(_ o: VerifyOptions) throws -> Scorecard {
        try o.validate()
        let staging = try o.outDirectory.map { try OutputStaging(finalDirectory: $0, overwrite: o.overwrite) }
        do {
            let fs: VerifySource
            if ReforecastRunSource.isRunDirectory(o.forecastPath) {
                if !o.forecastFilter.isEmpty {
                    throw GRIBError.invalidFilter(path: o.forecastPath, filter: o.forecastFilter.joined(separator: ","),
                                                  detail: "a reforecast run directory is not a GRIB file")
                }
                fs = try ReforecastRunSource(rundir: o.forecastPath)
            } else {
                fs = try NetCDFVerifySource(path: o.forecastPath, filter: o.forecastFilter)
            }
            let ts = o.truthPath == o.forecastPath && o.truthFilter == o.forecastFilter
                ? fs : try NetCDFVerifySource(path: o.truthPath, filter: o.truthFilter)
            let cs = try o.climatologyPath.map { try NetCDFVerifySource(path: $0) }
            let card = try VerifyWorkflow.run(o, forecast: fs, truth: ts, climatology: cs)
            if let staging { _ = try write(card, staging: staging, partials: o.writePartials, figures: o.writeFigures) }
            return card
        } catch {
            staging?.discard()
            throw error
        }
    }

    /// Merges the partials of several run directories and writes the outputs into `outDirectory` (a directory
    /// holding anything is refused unless `overwrite`).
    public static func merge(runs: [String], outDirectory: String?, figures: Bool = true, partials: Bool = true,
                             overwrite: Bool = false) throws -> Scorecard {
        let staging = try outDirectory.map { try OutputStaging(finalDirectory: $0, overwrite: overwrite) }
        do {
            let parts = try runs.map { ($0, try VerificationPartials.read($0)) }
            let card = try VerificationPartials.merge(parts)
            if let staging { _ = try write(card, staging: staging, partials: partials, figures: figures) }
            return card
        } catch {
            staging?.discard()
            throw error
        }
    }
}

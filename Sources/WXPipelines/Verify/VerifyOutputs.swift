import Foundation

/// Writes every output of a scorecard into a run directory: scores.csv, scores.nc, diagnostics.nc, figures/*.svg
/// and, when asked, partials.json.
public enum VerifyOutputs {
    /// Writes the outputs; returns the paths written.
    @discardableResult
    public static func write(_ card: Scorecard, toDirectory path: String, partials: Bool, figures: Bool) throws -> [String] {
        let dir = URL(fileURLWithPath: path)
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw VerifyError.cannotWrite(path: path, reason: "cannot create the directory: \(error)")
        }
        var out: [String] = []
        try ScoresCSV.write(card, toDirectory: dir); out.append("scores.csv")
        try ScoresNetCDF.writeScores(card, toDirectory: dir); out.append("scores.nc")
        try ScoresNetCDF.writeDiagnostics(card, toDirectory: dir); out.append("diagnostics.nc")
        if partials { try VerificationPartials(card).write(toDirectory: dir); out.append(VerificationPartials.fileName) }
        if figures {
            out += try VerificationFigures.write(card, toDirectory: dir.appendingPathComponent("figures")).map { "figures/" + $0 }
        }
        return out.map { dir.appendingPathComponent($0).path }
    }

    /// Opens the files named in the options, verifies, and writes the outputs if `outDirectory` is set.
    public static func verify(_ o: VerifyOptions) throws -> Scorecard {
        let fs = try NetCDFVerifySource(path: o.forecastPath)
        let ts = o.truthPath == o.forecastPath ? fs : try NetCDFVerifySource(path: o.truthPath)
        let cs = try o.climatologyPath.map { try NetCDFVerifySource(path: $0) }
        let card = try VerifyWorkflow.run(o, forecast: fs, truth: ts, climatology: cs)
        if let out = o.outDirectory { try write(card, toDirectory: out, partials: o.writePartials, figures: o.writeFigures) }
        return card
    }

    /// Merges the partials of several run directories and writes the outputs into `outDirectory`.
    public static func merge(runs: [String], outDirectory: String?, figures: Bool = true, partials: Bool = true) throws -> Scorecard {
        let parts = try runs.map { ($0, try VerificationPartials.read($0)) }
        let card = try VerificationPartials.merge(parts)
        if let out = outDirectory { try write(card, toDirectory: out, partials: partials, figures: figures) }
        return card
    }
}

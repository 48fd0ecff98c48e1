import ArgumentParser
import Foundation
import WXPipelines
import WXVerification

/// `wxens verify`: scores a forecast ensemble against its truth and writes scores.csv, scores.nc, diagnostics.nc and SVG figures.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a forecast ensemble against truth: CRPS, RMSE, spread/skill, rank histograms, Brier, ROC, ...",
        subcommands: [VerifyRunCommand.self, VerifyMergeCommand.self],
        defaultSubcommand: VerifyRunCommand.self
    )
}

/// The default subcommand: one verification run.
struct VerifyRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Verify one forecast file against a truth file (the default).")

    @Option(help: "Forecast ensemble file (NetCDF/HDF5/GRIB), a Zarr store, or a finished reforecast RUNDIR (its parts read as one forecast).") var forecast: String
    @Option(help: "Truth file or Zarr store (analyses or observations; may be the forecast file).") var truth: String
    @Option(help: "Output directory.") var out: String = "verify-out"
    @Option(help: "Comma-separated variables present in both files.") var variables: String?
    @Option(name: .customLong("forecast-var"), help: "Forecast variable (with --truth-var when names differ).") var forecastVar: String?
    @Option(name: .customLong("truth-var"), help: "Truth variable matching --forecast-var.") var truthVar: String?
    @Option(name: .customLong("lead-times"), help: "Comma-separated lead times in hours (default: all).") var leadTimes: String?
    @Option(help: "Comma-separated events [var:]OP VALUE with OP one of > >= < <= (e.g. t850:>280,rmm1:<-1).") var thresholds: String?
    @Option(help: "Climatology file from `wxens climatology` (enables acc and q90/q95/q99, +-2/3 sd events).") var climatology: String?
    @Flag(name: .customLong("no-area-weights"), help: "Do not weight by latitude cell area.") var noAreaWeights = false
    @Option(name: .customLong("nan-policy"), help: "propagate, omit or raise.") var nanPolicy: String = "propagate"
    @Option(name: .customLong("max-memory"), help: "Cap on data held at once, e.g. 512MB, 2GB.") var maxMemory: String?
    @Flag(help: "Also write partials.json for `wxens verify merge`.") var partials = false
    @Flag(name: .customLong("no-figures"), help: "Do not write SVG figures.") var noFigures = false
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Replace an earlier run's outputs in a non-empty --out (scores, diagnostics, partials, the figures folder).") var overwrite = false
    @Option(name: .customLong("forecast-filter"), help: "GRIB forecast only: keep the messages with this key=value (e.g. typeOfLevel=isobaricInhPa); repeatable.")
    var forecastFilter: [String] = []
    @Option(name: .customLong("truth-filter"), help: "GRIB truth only: keep the messages with this key=value; repeatable.")
    var truthFilter: [String] = []

    func run() throws {
        do {
            guard let policy = NaNPolicy(rawValue: nanPolicy) else {
                throw VerifyError.badOption(name: "--nan-policy", value: nanPolicy, reason: "expected propagate, omit or raise")
            }
            var leads: [Double]? = nil
            if let l = leadTimes {
                leads = try l.split(separator: ",").map { s in
                    guard let v = Double(s.trimmingCharacters(in: .whitespaces)) else {
                        throw VerifyError.badOption(name: "--lead-times", value: String(s), reason: "not a number of hours")
                    }
                    return v
                }
            }
            let o = VerifyOptions(
                forecastPath: forecast, truthPath: truth, outDirectory: out,
                variables: variables.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } },
                forecastVariable: forecastVar, truthVariable: truthVar, leadTimesHours: leads,
                events: try thresholds.map(EventDefinition.parseThresholds) ?? [], climatologyPath: climatology,
                areaWeights: !noAreaWeights, nanPolicy: policy, maxMemoryBytes: try maxMemory.map(VerifyOptions.parseMemory),
                writePartials: partials, writeFigures: !noFigures, quiet: quiet, overwrite: overwrite,
                forecastFilter: forecastFilter, truthFilter: truthFilter)
            let card = try VerifyOutputs.verify(o)
            if !quiet {
                FileHandle.standardError.write(Data("wxens verify: \(card.accumulators.count) (variable, lead) scorecards written to \(out)\n".utf8))
            }
        } catch {
            throw failWith(error)
        }
    }
}

/// `wxens verify merge`: combines the partials of several runs into the scores of one run over all of them.
struct VerifyMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merge", abstract: "Merge the partials.json of several verify runs (e.g. shards by init time).")

    @Option(help: "Output directory.") var out: String
    @Flag(name: .customLong("no-figures"), help: "Do not write SVG figures.") var noFigures = false
    @Flag(help: "Replace an earlier run's outputs in a non-empty --out.") var overwrite = false
    @Argument(help: "Run directories written with --partials, or reforecast RUNDIRs planned with verify_truth.") var runs: [String]

    func run() throws {
        do {
            let expanded = try runs.flatMap { run -> [String] in
                FileManager.default.fileExists(atPath: run + "/" + ReforecastManifest.fileName) ? try ReforecastManifest.verificationRuns(run) : [run]
            }
            _ = try VerifyOutputs.merge(runs: expanded, outDirectory: out, figures: !noFigures, overwrite: overwrite)
        } catch {
            throw failWith(error)
        }
    }
}

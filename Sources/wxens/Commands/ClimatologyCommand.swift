import ArgumentParser
import Foundation
import WXPipelines

/// `wxens climatology`: per-point mean, standard deviation and quantiles of a truth file over a period.
struct ClimatologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "climatology",
        abstract: "Per-grid-point mean, standard deviation and exact quantiles of the truth over a period (a CF file for verify --climatology).")

    @Option(help: "Truth file with a time axis.") var truth: String
    @Option(help: "First date of the period (inclusive), e.g. 2000-03-21.") var from: String
    @Option(help: "Last date of the period (inclusive).") var to: String
    @Option(help: "Output CF file.") var out: String
    @Option(help: "Comma-separated quantile levels.") var quantiles: String = "0.9,0.95,0.99"
    @Option(help: "Comma-separated variables (default: every variable with a time axis).") var variables: String?
    @Option(name: .customLong("max-memory"), help: "Cap on the per-point samples held, e.g. 2GB.") var maxMemory: String?
    @Option(help: "GRIB truth only: keep the messages with this key=value (e.g. typeOfLevel=isobaricInhPa); repeatable.")
    var filter: [String] = []

    func run() throws {
        do {
            let qs = try quantiles.split(separator: ",").map { s -> Double in
                guard let q = Double(s.trimmingCharacters(in: .whitespaces)) else {
                    throw VerifyError.badOption(name: "--quantiles", value: String(s), reason: "not a number")
                }
                return q
            }
            let o = ClimatologyOptions(truthPath: truth, from: from, to: to, outPath: out, quantiles: qs,
                                       variables: variables.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } },
                                       maxMemoryBytes: try maxMemory.map(VerifyOptions.parseMemory), filter: filter)
            try ClimatologyWorkflow.run(o)
        } catch {
            throw failWith(error)
        }
    }
}

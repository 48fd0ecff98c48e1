import ArgumentParser
import Foundation
import WXGenerative
import WXPipelines

extension InitTimeSelection: ExpressibleByArgument {
    /// `all` or comma-separated ISO 8601 times.
    public init?(argument: String) { try? self.init(parsing: argument) }
}

/// Comma-separated lead times in hours, e.g. `24,72,120`.
struct LeadTimeList: ExpressibleByArgument {
    /// The lead times (hours).
    var hours: [Double]

    /// Parses comma-separated numbers of hours.
    init?(argument: String) {
        let values = argument.split(separator: ",", omittingEmptySubsequences: false)
            .map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
        hours = values.map { $0! }
    }
}

/// `wxens forecast`: ensembles rolled out with the VAE forecaster from the states of an initial-conditions file.
struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Roll out ensemble forecasts from initial conditions with a FuXi-ENS-style VAE forecaster.")

    @Option(name: .customLong("initial-conditions"), help: "File with dims (time, latitude, longitude): the states at t and t - 6 h start each forecast.")
    var initialConditions: String
    @Option(help: "Members per init time.") var members: Int
    @Option(name: .customLong("lead-times"), help: "Comma-separated lead times in hours, multiples of the model's step (e.g. 24,72,120).")
    var leadTimes: LeadTimeList
    @Option(help: "Output CF file (init_time, member, lead_time, latitude, longitude).") var out: String
    @Option(name: .customLong("init-times"),
            help: "'all' (every 00 UTC time with its previous state) or comma-separated ISO 8601 times, e.g. 2000-09-22T00:00.")
    var initTimes: InitTimeSelection = .all
    @Option(help: "Model directory (default: the embedded model data/models/fuxi-vae-rollout).") var checkpoint: String?
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(name: .customLong("batch-size"), help: "Members stepped together.") var batchSize: Int = 8
    @Option(name: .customLong("latent-scale"), help: "Scale of the prior's standard deviation when drawing latents (1: as trained).")
    var latentScale: Float = 1
    @Flag(help: "No progress output.") var quiet = false
    @Option(help: "GRIB initial conditions only: keep the messages with this key=value (e.g. typeOfLevel=surface); repeatable.")
    var filter: [String] = []

    func run() throws {
        do {
            let path = checkpoint ?? EmbeddedModels.path(named: EmbeddedModels.vae)
            guard latentScale.isFinite, latentScale > 0 else {
                throw ForecastError.invalidOption(option: "--latent-scale", detail: "must be positive, is \(latentScale)")
            }
            var forecaster = try VAEForecaster(checkpoint: path)
            forecaster.latentScale = latentScale
            try ForecastWorkflow.run(ForecastOptions(
                initialConditionsPath: initialConditions, members: members, leadTimesHours: leadTimes.hours, outPath: out,
                initTimes: initTimes, seed: seed, batchSize: batchSize, quiet: quiet, modelSource: path, filter: filter),
                forecaster: forecaster)
        } catch {
            throw failWith(error)
        }
    }
}

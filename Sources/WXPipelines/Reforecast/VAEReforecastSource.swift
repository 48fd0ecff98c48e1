import Foundation
import WXCore
import WXGenerative
import WXIO
import WXNN

/// The VAE forecaster as a reforecast member source: each init's members rolled out by `ForecastRollout` from the
/// states at t and t - step of an initial-conditions file, so member k of init t is the bits `wxens forecast` makes
/// for that init with the same seed and checkpoint.
public struct VAEReforecastSource: ReforecastMemberSource {
    /// The model.
    public let forecaster: any StepForecaster
    /// The checked initial-conditions file.
    public let initialConditions: InitialConditionsFile
    /// The configuration's lead times and their model steps.
    public let leadSteps: ForecastLeadSteps
    /// Every time of the file as an init time (hours since its reference), the configuration's lead times as leads.
    public let layout: ReforecastLayout
    /// The checkpoint and the init-time selection, recorded in the files' attributes.
    private let checkpoint: String, initTimesText: String

    /// Loads the checkpoint (which must be a fuxi-vae model) and checks the configuration against it.
    public init(checkpoint: String, config: ReforecastConfig) throws {
        let configPath = checkpoint + "/" + Checkpoint.File.config
        struct Kind: Decodable { var architecture: String }
        if let data = FileManager.default.contents(atPath: configPath), let kind = try? JSONDecoder().decode(Kind.self, from: data),
           kind.architecture != "fuxi-vae" {
            throw ReforecastError.badValue(name: "generator", reason: "vae asked for, but \(checkpoint) is a \(kind.architecture) model")
        }
        try self.init(forecaster: try VAEForecaster(checkpoint: checkpoint), checkpoint: checkpoint, config: config)
    }

    /// Uses `forecaster` (recorded as `checkpoint`): checks the keys, lead times and input against it; reads no state.
    public init(forecaster: any StepForecaster, checkpoint: String, config: ReforecastConfig) throws {
        for (key, given) in [("seed_members", config.seedMembers != nil), ("sampler_steps", config.samplerSteps != nil),
                             ("sampler", config.sampler != nil)] where given {
            throw ReforecastError.badValue(name: key, reason: "applies to the diffusion generators (gee, gpp), not to vae")
        }
        guard let hours = config.leadTimes else {
            throw ReforecastError.badValue(name: "lead_times",
                reason: "the vae generator needs lead times (multiples of the model's \(ForecastLeadSteps.format(forecaster.stepHours)) h step)")
        }
        leadSteps = try ForecastLeadSteps(hours: hours, stepHours: forecaster.stepHours, option: "lead_times")
        let ic = try InitialConditionsFile(path: config.input, forecaster: forecaster)
        self.forecaster = forecaster
        initialConditions = ic
        self.checkpoint = checkpoint
        initTimesText = config.initTimes.description
        // The same expression as ForecastInitTime.hours, so the streams' init key is the one wxens forecast uses.
        layout = ReforecastLayout(initTimes: ic.times.map { $0 * ic.timeUnits.unit.seconds / 3600 }, timeReference: ic.timeReference,
                                  calendar: ic.calendarName, leadHours: leadSteps.hours, latitudes: ic.latitudes,
                                  longitudes: ic.longitudes, variables: ic.metadata)
    }

    /// The attributes `wxens forecast` writes.
    public func globalAttributes(seed: UInt64) -> CFGlobalAttributes {
        ForecastWorkflow.globalAttributes(initialConditions: initialConditions.path, seed: seed, stepHours: forecaster.stepHours,
                                          initTimes: initTimesText, modelSource: checkpoint)
    }

    /// `all` is every 00 UTC time with its state one step earlier (as in `wxens forecast`); a list or range must name
    /// times of the file, each with its state one step earlier. Reads every starting state to find missing values.
    public func initIndices(_ selection: ReforecastInitTimes, units: CFTimeUnits, input: String) throws -> [Int] {
        let picked: InitTimeSelection
        if case .all = selection {
            picked = .all
        } else {
            let indices = try selection.indices(in: layout.initTimes, units: units, input: input)
            picked = .times(try indices.map { try units.date(layout.initTimes[$0]) })
        }
        let starts = try picked.resolve(values: initialConditions.times, units: initialConditions.timeUnits,
                                        stepHours: forecaster.stepHours, path: input, variable: forecaster.variables[0])
        for s in starts {
            _ = try initialConditions.state(at: s.index)
            _ = try initialConditions.state(at: s.previousIndex)
        }
        return starts.map(\.index)
    }

    /// Rolls out all `count` members of the init at time index `initIndex` in batches of `batchSize`, then hands
    /// them out.
    public func members(ofInit initIndex: Int, count: Int, leads: [Int], seed: UInt64, batchSize: Int,
                        emit: (Int, [Float]) throws -> Void) throws {
        let ic = initialConditions
        let date = try ic.timeUnits.date(ic.times[initIndex])
        let start = try InitTimeSelection.times([date]).resolve(values: ic.times, units: ic.timeUnits, stepHours: forecaster.stepHours,
                                                                path: ic.path, variable: forecaster.variables[0])[0]
        let out = try ForecastRollout.run(forecaster: forecaster, current: try ic.state(at: start.index),
                                          previous: try ic.state(at: start.previousIndex), initTime: start.date,
                                          initHours: start.hours, members: count,
                                          leadSteps: leads.map { leadSteps.steps[$0] }, seed: seed, batchSize: batchSize)
        let n = out.count / count
        for k in 0..<count { try emit(k, Array(out[k * n ..< (k + 1) * n])) }
    }
}

import Foundation
import WXCore
import WXGenerative
import WXIO

/// `wxens forecast`: ensembles rolled out from the states of an initial-conditions file, written in the reforecast
/// layout (init_time, member, lead_time, latitude, longitude) one init time at a time.
public enum ForecastWorkflow {
    /// Checks every input against `forecaster`, then rolls out every selected init time and writes
    /// `options.outPath` atomically (an error or interruption leaves nothing under that name).
    public static func run(_ o: ForecastOptions, forecaster: any StepForecaster) throws {
        guard o.members >= 1 else { throw ForecastError.invalidOption(option: "--members", detail: "must be at least 1, is \(o.members)") }
        guard o.batchSize >= 1 else { throw ForecastError.invalidOption(option: "--batch-size", detail: "must be at least 1, is \(o.batchSize)") }
        let step = forecaster.stepHours
        let lead = try ForecastLeadSteps(hours: o.leadTimesHours, stepHours: step)
        let leads = lead.hours, leadSteps = lead.steps
        let ic = try InitialConditionsFile(path: o.initialConditionsPath, forecaster: forecaster, filter: o.filter)
        let inits = try o.initTimes.resolve(values: ic.times, units: ic.timeUnits, stepHours: step, path: ic.path,
                                            variable: forecaster.variables[0])
        // Reading every starting state up front finds missing values before any output exists.
        let states = try inits.map { (current: try ic.state(at: $0.index), previous: try ic.state(at: $0.previousIndex)) }

        try CreatedDirectories.writing(o.outPath) {
            let writer = try CFReforecastWriter(path: o.outPath,
                initTimes: CFTimeAxis(hours: inits.map(\.hours), reference: ic.timeReference, calendar: ic.calendarName),
                members: Array(0..<o.members), leadTimeHours: leads, latitudes: ic.latitudes, longitudes: ic.longitudes,
                variables: ic.metadata, global: globalAttributes(initialConditions: o.initialConditionsPath, seed: o.seed, stepHours: step,
                                                              initTimes: o.initTimes.description, modelSource: o.modelSource))
            do {
                let progress = VerifyProgress(label: "forecast", total: inits.count * o.members, quiet: o.quiet, unit: "members")
                let p = ic.latitudes.count * ic.longitudes.count, v = ic.variables.count, nL = leads.count
                for (i, start) in inits.enumerated() {
                    let out = try ForecastRollout.run(forecaster: forecaster, current: states[i].current, previous: states[i].previous,
                                                      initTime: start.date, initHours: start.hours, members: o.members,
                                                      leadSteps: leadSteps, seed: o.seed, batchSize: o.batchSize,
                                                      progress: { progress.advance($0) })
                    for (vi, name) in ic.variables.enumerated() {
                        var values = [Float](repeating: 0, count: o.members * nL * p)
                        for ml in 0..<o.members * nL {
                            values.replaceSubrange(ml * p ..< (ml + 1) * p, with: out[(ml * v + vi) * p ..< (ml * v + vi + 1) * p])
                        }
                        try writer.write(init: i, variable: name, values: values)
                    }
                }
                try writer.finish()
            } catch {
                writer.discard()
                throw error
            }
        }
    }

    /// The provenance attributes of a forecast file: initial conditions, seed, step, init times and model.
    public static func globalAttributes(initialConditions: String, seed: UInt64, stepHours: Double, initTimes: String,
                                        modelSource: String?) -> CFGlobalAttributes {
        var extra: Attributes = [
            "wxens_initial_conditions": .string(initialConditions), "wxens_seed": .string(String(seed)),
            "wxens_step_hours": .string(ForecastLeadSteps.format(stepHours)), "wxens_init_times": .string(initTimes),
        ]
        if let m = modelSource { extra["wxens_checkpoint"] = .string(m) }
        return CFGlobalAttributes(title: "wxens FuXi-ENS-style VAE forecast ensemble", extra: extra)
    }
}

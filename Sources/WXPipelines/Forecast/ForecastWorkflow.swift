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
        guard !o.leadTimesHours.isEmpty else { throw ForecastError.invalidOption(option: "--lead-times", detail: "no lead times given") }
        let leads = Array(Set(o.leadTimesHours)).sorted()
        let leadSteps = try leads.map { h -> Int in
            let k = (h / step).rounded()
            guard h > 0, h.isFinite, abs(h - k * step) < 1e-6 else {
                throw ForecastError.invalidOption(option: "--lead-times",
                    detail: "\(format(h)) h is not a positive multiple of the model's \(format(step)) h step")
            }
            return Int(k)
        }
        let ic = try InitialConditionsFile(path: o.initialConditionsPath, forecaster: forecaster)
        let inits = try o.initTimes.resolve(values: ic.times, units: ic.timeUnits, stepHours: step, path: ic.path,
                                            variable: forecaster.variables[0])
        // Reading every starting state up front finds missing values before any output exists.
        let states = try inits.map { (current: try ic.state(at: $0.index), previous: try ic.state(at: $0.previousIndex)) }

        var extra: Attributes = [
            "wxens_initial_conditions": .string(o.initialConditionsPath), "wxens_seed": .string(String(o.seed)),
            "wxens_step_hours": .string(format(step)), "wxens_init_times": .string(o.initTimes.description),
        ]
        if let m = o.modelSource { extra["wxens_checkpoint"] = .string(m) }
        let writer = try CFReforecastWriter(path: o.outPath,
            initTimes: CFTimeAxis(hours: inits.map(\.hours), reference: ic.timeReference, calendar: ic.calendarName),
            members: Array(0..<o.members), leadTimeHours: leads, latitudes: ic.latitudes, longitudes: ic.longitudes,
            variables: ic.metadata, global: CFGlobalAttributes(title: "wxens FuXi-ENS-style VAE forecast ensemble", extra: extra))
        do {
            let progress = VerifyProgress(label: "forecast", total: inits.count * o.members, quiet: o.quiet, unit: "members")
            let p = ic.latitudes.count * ic.longitudes.count, v = ic.variables.count, nL = leads.count
            for (i, start) in inits.enumerated() {
                let out = try ForecastRollout.run(forecaster: forecaster, current: states[i].current, previous: states[i].previous,
                                                  initHours: start.hours, members: o.members, leadSteps: leadSteps, seed: o.seed,
                                                  batchSize: o.batchSize, progress: { progress.advance($0) })
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

    /// A number of hours without a trailing ".0".
    private static func format(_ h: Double) -> String {
        h == h.rounded() && abs(h) < 1e15 ? String(Int64(h)) : String(h)
    }
}

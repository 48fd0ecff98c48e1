import Foundation
import WXGenerative
import WXIO

/// The diffusion generators (GEE, GPP) as a reforecast member source: `SEEDSEnsemble`, one init at a time.
public struct SEEDSReforecastSource: ReforecastMemberSource {
    /// The checked run on the input.
    public let ensemble: SEEDSEnsemble
    /// Axes and variables.
    public let layout: ReforecastLayout

    /// Loads the checkpoint (which must be of `mode`) and checks the input against it.
    public init(mode: SEEDSConfig.Mode, checkpoint: String, config: ReforecastConfig) throws {
        ensemble = try SEEDSEnsemble(checkpoint: checkpoint, seedsPath: config.input, seedMembers: config.seedMembers,
                                     steps: config.samplerSteps, method: config.sampler)
        guard ensemble.generator.config.mode == mode else {
            throw ReforecastError.badValue(name: "generator",
                reason: "\(mode.rawValue) asked for, but \(checkpoint) is a \(ensemble.generator.config.mode.rawValue) model")
        }
        layout = ReforecastLayout(initTimes: ensemble.initTimes, timeReference: ensemble.timeReference, calendar: ensemble.calendar,
                                  leadHours: ensemble.leadHours, latitudes: ensemble.latitudes, longitudes: ensemble.longitudes,
                                  variables: ensemble.variables)
    }

    /// The ensemble's provenance attributes.
    public func globalAttributes(seed: UInt64) -> CFGlobalAttributes { ensemble.globalAttributes(seed: seed) }

    /// Reads the init's seeds, then samples members a few at a time so a batch holds about `batchSize` cases.
    public func members(ofInit initIndex: Int, count: Int, leads: [Int], seed: UInt64, batchSize: Int,
                        emit: (Int, [Float]) throws -> Void) throws {
        let block = try ensemble.readSeeds(inits: initIndex ..< initIndex + 1)
        let group = max(1, batchSize / max(1, leads.count))
        for start in stride(from: 0, to: count, by: group) {
            let ks = Array(start ..< min(start + group, count))
            let made = try ensemble.members(ks, of: block, firstInit: initIndex, leads: leads, seed: seed, batchSize: batchSize)
            for (k, values) in zip(ks, made) { try emit(k, values) }
        }
    }
}

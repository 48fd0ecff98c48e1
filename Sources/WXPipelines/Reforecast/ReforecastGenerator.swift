import Foundation
import WXGenerative

/// The generator kinds a reforecast can run; each makes the members of one init time through a `ReforecastMemberSource`.
public enum ReforecastGenerator: String, Codable, Sendable, CaseIterable {
    /// SEEDS diffusion, emulating the physics ensemble (seeds file input).
    case gee
    /// SEEDS diffusion, post-processed toward the truth (seeds file input).
    case gpp
    /// The FuXi-ENS-style VAE forecaster (initial-conditions input with a time axis; lead times multiples of its step).
    case vae

    /// The member source of this kind for a resolved configuration (checks model and input, reads no member data).
    public func source(for config: ReforecastConfig) throws -> any ReforecastMemberSource {
        guard let checkpoint = config.checkpoint else {
            throw ReforecastError.badValue(name: "checkpoint", reason: "not resolved (call ReforecastConfig.resolved first)")
        }
        guard FileManager.default.fileExists(atPath: checkpoint) else { throw ReforecastError.missingCheckpoint(path: checkpoint) }
        guard FileManager.default.fileExists(atPath: config.input) else { throw ReforecastError.missingInput(path: config.input) }
        switch self {
        case .gee, .gpp:
            return try SEEDSReforecastSource(mode: self == .gee ? .gee : .gpp, checkpoint: checkpoint, config: config)
        case .vae:
            return try VAEReforecastSource(checkpoint: checkpoint, config: config)
        }
    }
}

import Foundation
import WXNN

/// What a SEEDS-style generator is (`config.json` of its checkpoint): mode, variables, leads, seeds, grid,
/// the denoiser's U-Net, EDM's constants and the default sampler.
public struct SEEDSConfig: Codable, Equatable, Sendable {
    /// Emulation of the physics ensemble, or post-processing toward the truth.
    public enum Mode: String, Codable, Sendable, CaseIterable { case gee, gpp }

    /// "seeds-edm".
    public var architecture: String
    /// GEE or GPP.
    public var mode: Mode
    /// Variable names, in channel order.
    public var variables: [String]
    /// Lead times (hours) the model was trained on.
    public var leadTimesHours: [Double]
    /// Number of seed members K the model conditions on.
    public var seedMembers: Int
    /// Grid size (latitudes, longitudes).
    public var latitudes: Int, longitudes: Int
    /// EDM's sigma_data.
    public var sigmaData: Double
    /// Training noise levels.
    public var trainingNoise: TrainingNoiseLevels
    /// The sampler used unless the caller picks another.
    public var sampler: DiffusionSampler
    /// The denoiser network (input V noisy channels, condition `conditionChannels`, output V).
    public var unet: UNetConfig
    /// GPP: probability that a training target is the truth rather than another member (0 for GEE).
    public var truthWeight: Double

    /// A configuration from its parts.
    public init(architecture: String, mode: Mode, variables: [String], leadTimesHours: [Double], seedMembers: Int,
                latitudes: Int, longitudes: Int, sigmaData: Double, trainingNoise: TrainingNoiseLevels,
                sampler: DiffusionSampler, unet: UNetConfig, truthWeight: Double) {
        self.architecture = architecture
        self.mode = mode
        self.variables = variables
        self.leadTimesHours = leadTimesHours
        self.seedMembers = seedMembers
        self.latitudes = latitudes
        self.longitudes = longitudes
        self.sigmaData = sigmaData
        self.trainingNoise = trainingNoise
        self.sampler = sampler
        self.unet = unet
        self.truthWeight = truthWeight
    }

    /// Conditioning channels: the seeds' mean and spread anomalies per variable, then sin lat, cos lat, sin lon, cos lon.
    public static func conditionChannels(variables: Int) -> Int { 2 * variables + SEEDSConditioning.staticChannels }

    /// Checks that the parts agree; throws `ModelConfigError`.
    public func validate() throws {
        let v = variables.count
        func bad(_ what: String) -> ModelConfigError { .invalid(field: what, reason: "does not match the SEEDS layout") }
        guard architecture == "seeds-edm" else { throw ModelConfigError.unknownArchitecture(architecture) }
        guard v > 0, !leadTimesHours.isEmpty, seedMembers >= 2 else { throw bad("variables/lead_times_hours/seed_members") }
        guard unet.inputChannels == v, unet.outputChannels == v else { throw bad("unet.input_channels/output_channels (\(v) variables)") }
        guard unet.conditionChannels == Self.conditionChannels(variables: v) else { throw bad("unet.condition_channels") }
        guard unet.scalars.count == 2 else { throw bad("unet.scalars (noise level and lead time)") }
        guard (0...1).contains(truthWeight) else { throw bad("truth_weight") }
        try unet.validate(height: latitudes, width: longitudes)
    }

    enum CodingKeys: String, CodingKey {
        case architecture, mode, variables, sampler, unet, latitudes, longitudes
        case leadTimesHours = "lead_times_hours", seedMembers = "seed_members", sigmaData = "sigma_data"
        case trainingNoise = "training_noise", truthWeight = "truth_weight"
    }
}

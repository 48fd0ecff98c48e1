import WXCore

/// Placeholder for the FuXi-ENS-style VAE forecaster so `wxens forecast` builds before the model lands: loading
/// always fails. The real type replaces this file.
public struct VAEForecaster: StepForecaster {
    /// Variable names, in channel order.
    public let variables: [String] = []
    /// Latitudes of the model's grid.
    public let latitudes: [Double] = []
    /// Longitudes of the model's grid.
    public let longitudes: [Double] = []
    /// Hours per step.
    public let stepHours: Double = 6

    /// Always throws: there is no VAE model in this build yet.
    public init(checkpoint: String) throws {
        throw VAEForecasterUnavailable(checkpoint: checkpoint)
    }

    /// Never reached (no instance can be made).
    public func step(current: [Float], previous: [Float], streams: inout [Philox]) throws -> [Float] {
        throw VAEForecasterUnavailable(checkpoint: "")
    }
}

/// The VAE forecaster is not part of this build.
public struct VAEForecasterUnavailable: Error, CustomStringConvertible {
    /// The checkpoint that was asked for.
    public var checkpoint: String
    /// One readable line.
    public var description: String { "\(checkpoint): the VAE forecaster is not built into this version of wxens" }
}

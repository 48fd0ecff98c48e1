import WXCore

/// A stochastic one-step forecaster: the state one step ahead from the current and previous states, each member
/// drawing its perturbation from its own counter-based stream.
public protocol StepForecaster: Sendable {
    /// Variable names, in the order of a state's channels.
    var variables: [String] { get }
    /// Latitudes (degrees north) and longitudes (degrees east) of the grid the model was trained on.
    var latitudes: [Double] { get }
    /// Longitudes of the grid (degrees east).
    var longitudes: [Double] { get }
    /// Hours between the states of one step.
    var stepHours: Double { get }

    /// States at t + step for `current` and `previous` [B, V, H, W] (physical units, t and t - step), member b
    /// drawing from `streams[b]`; `validTime` is t + step (for forcings computed from the time); returns [B, V, H, W].
    func step(current: [Float], previous: [Float], validTime: CFDateTime, streams: inout [Philox]) throws -> [Float]
}

/// What verification does with NaN in forecasts or truth.
public enum NaNPolicy: String, Sendable, Codable, CaseIterable {
    /// Any NaN member or truth at a point makes every score of that variable and lead NaN.
    case propagate
    /// NaN members are dropped at that point; points with NaN truth or no valid member are dropped, weights renormalised.
    case omit
    /// The first NaN stops the run with an error naming the file, variable and position.
    case raise
}

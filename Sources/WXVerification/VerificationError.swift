/// Why a score could not be computed from its inputs.
public enum VerificationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An input array does not have the size the layout needs.
    case sizeMismatch(what: String, expected: Int, got: Int)
    /// A parameter is outside its domain (e.g. a standard deviation <= 0, no members).
    case invalidParameter(name: String, value: String, reason: String)
    /// A non-finite value was found under `NaNPolicy.raise`.
    case nonFinite(what: String, index: Int, value: Double)
    /// Two accumulators that describe different setups were merged.
    case incompatibleMerge(what: String)

    /// A sentence naming the input and what was wrong.
    public var description: String {
        switch self {
        case let .sizeMismatch(what, expected, got):
            return "\(what): expected \(expected) values, got \(got)"
        case let .invalidParameter(name, value, reason):
            return "parameter \(name) = \(value): \(reason)"
        case let .nonFinite(what, index, value):
            return "\(what)[\(index)] is \(value) and the NaN policy is 'raise'"
        case let .incompatibleMerge(what):
            return "cannot merge accumulators: \(what)"
        }
    }
}

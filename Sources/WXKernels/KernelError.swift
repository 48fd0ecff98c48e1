/// A kernel was called with tensors whose shapes or parameters do not fit the operation.
public enum KernelError: Error, CustomStringConvertible, Equatable {
    /// Shapes that cannot go together, with the operation and what was wrong.
    case shapeMismatch(op: String, detail: String)
    /// A parameter outside its valid range (e.g. groups not dividing channels).
    case invalidParameter(op: String, detail: String)

    /// A readable message naming the operation and the problem.
    public var description: String {
        switch self {
        case let .shapeMismatch(op, detail): return "\(op): shape mismatch: \(detail)"
        case let .invalidParameter(op, detail): return "\(op): invalid parameter: \(detail)"
        }
    }
}

/// A checkpoint could not be read or written; every case names the file and, where there is one, the tensor.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(path: String)
    case truncated(path: String, detail: String)
    case badHeader(path: String, detail: String)
    case unsupportedDType(path: String, tensor: String, dtype: String)
    case missingTensor(path: String, tensor: String)
    case unexpectedTensor(path: String, tensor: String)
    case shapeMismatch(path: String, tensor: String, expected: [Int], found: [Int])
    case configMismatch(path: String, detail: String)
    case cannotWrite(path: String, reason: String)

    /// One readable line naming the file and, where there is one, the tensor.
    public var description: String {
        switch self {
        case let .fileNotFound(p): return "\(p): no such checkpoint file or directory"
        case let .truncated(p, d): return "\(p): truncated: \(d)"
        case let .badHeader(p, d): return "\(p): bad header: \(d)"
        case let .unsupportedDType(p, t, d): return "\(p): tensor \(t) has dtype \(d); wxens reads F32, F64, F16 and BF16"
        case let .missingTensor(p, t): return "\(p): tensor \(t) is missing"
        case let .unexpectedTensor(p, t): return "\(p): unexpected tensor \(t)"
        case let .shapeMismatch(p, t, e, f): return "\(p): tensor \(t) has shape \(f), expected \(e)"
        case let .configMismatch(p, d): return "\(p): configuration mismatch: \(d)"
        case let .cannotWrite(p, r): return "cannot write \(p): \(r)"
        }
    }
}

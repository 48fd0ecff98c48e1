import Foundation

/// Why `wxens plot` cannot draw what it was asked: each case names the file, variable or option and what was wrong.
public enum PlotError: Error, Equatable, CustomStringConvertible {
    /// A command-line value is invalid.
    case badOption(name: String, value: String, reason: String)
    /// The file has no such variable (the ones it has are listed).
    case variableMissing(path: String, variable: String, available: [String])
    /// The file has no such init time (the ones it has are listed).
    case initTimeMissing(path: String, time: String, available: [String])
    /// The file has no such lead time (the ones it has are listed, in hours).
    case leadTimeMissing(path: String, hours: Double, available: [Double])
    /// The truth file has no state at the forecast's valid time.
    case validTimeMissing(path: String, time: String)
    /// A member index beyond the file's members.
    case memberOutOfRange(path: String, option: String, member: Int, members: Int)
    /// A variable's dimensions or coordinates are not a map at one time.
    case layout(path: String, variable: String, detail: String)
    /// Another file's grid differs from the forecast's.
    case gridMismatch(path: String, detail: String)

    /// One readable line.
    public var description: String {
        switch self {
        case let .badOption(n, v, r): return "invalid value '\(v)' for \(n): \(r)"
        case let .variableMissing(p, v, a): return "\(p): no variable '\(v)' (it has \(a.joined(separator: ", ")))"
        case let .initTimeMissing(p, t, a):
            let list = a.count > 8 ? a.prefix(4).joined(separator: ", ") + ", ..., " + a.suffix(2).joined(separator: ", ") : a.joined(separator: ", ")
            return "\(p): no init time \(t) (it has \(a.count): \(list))"
        case let .leadTimeMissing(p, h, a):
            return "\(p): no lead time \(String(format: "%g", h)) h (it has \(a.map { String(format: "%g h", $0) }.joined(separator: ", ")))"
        case let .validTimeMissing(p, t): return "\(p): no state at the valid time \(t)"
        case let .memberOutOfRange(p, o, m, n): return "\(p): \(o) names member \(m) but the file has \(n) (0...\(n - 1))"
        case let .layout(p, v, d): return "\(p): variable '\(v)': \(d)"
        case let .gridMismatch(p, d): return "\(p): \(d)"
        }
    }
}

/// A model configuration that cannot be built: what is wrong and where.
public enum ModelConfigError: Error, CustomStringConvertible, Equatable {
    /// A key the configuration format does not know (a misspelt or unsupported layer option).
    case unknownKey(key: String, in: String)
    /// An architecture or layer kind wxens does not have.
    case unknownArchitecture(String)
    /// A value outside what the field allows.
    case invalid(field: String, reason: String)
    /// The grid cannot be halved as often as the levels need.
    case gridNotDivisible(height: Int, width: Int, levels: Int)
    /// The configuration text does not parse.
    case unreadable(path: String, reason: String)

    /// One readable line.
    public var description: String {
        switch self {
        case let .unknownKey(key, section): return "unknown key '\(key)' in \(section)"
        case let .unknownArchitecture(name): return "unknown architecture or layer '\(name)'"
        case let .invalid(field, reason): return "\(field): \(reason)"
        case let .gridNotDivisible(h, w, levels):
            return "a \(h)x\(w) grid cannot be halved \(levels - 1) times for \(levels) levels (both sizes must be multiples of \(1 << (levels - 1)))"
        case let .unreadable(path, reason): return "\(path): cannot read the configuration: \(reason)"
        }
    }
}

/// Decoding that refuses keys it does not know, so a misspelt option is an error rather than a silent default.
public struct StrictKeys<Key: CodingKey & CaseIterable> {
    /// Throws `ModelConfigError.unknownKey` for the first key of `decoder`'s object that `Key` does not have.
    public static func check(_ decoder: Decoder, section: String) throws {
        let all = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(Key.allCases.map(\.stringValue))
        if let bad = all.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw ModelConfigError.unknownKey(key: bad, in: section)
        }
    }
}

/// Any string key (for listing an object's keys).
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

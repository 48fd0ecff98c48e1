/// A netCDF/HDF5 attribute value, numeric or text, scalar or vector.
public enum AttributeValue: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// Text (NC_CHAR or NC_STRING).
    case string(String)
    /// Several strings (an NC_STRING array).
    case strings([String])
    /// Integer values (any integer type).
    case integers([Int64])
    /// Floating-point values (float or double).
    case doubles([Double])

    /// The value as text, if it is text.
    public var stringValue: String? {
        switch self {
        case .string(let s): return s
        case .strings(let a): return a.joined(separator: "\n")
        default: return nil
        }
    }

    /// The numeric values as Double (integers converted), or nil for text.
    public var doubleValues: [Double]? {
        switch self {
        case .integers(let a): return a.map(Double.init)
        case .doubles(let a): return a
        default: return nil
        }
    }

    /// The first numeric value, if any.
    public var doubleValue: Double? { doubleValues?.first }

    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .strings(let a): return a.map { "\"\($0)\"" }.joined(separator: ", ")
        case .integers(let a): return a.map(String.init).joined(separator: ", ")
        case .doubles(let a): return a.map { "\($0)" }.joined(separator: ", ")
        }
    }
}

/// Attributes by name, as a file stores them on a variable or group.
public typealias Attributes = [String: AttributeValue]

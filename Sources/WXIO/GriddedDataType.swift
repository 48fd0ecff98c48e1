import WXCore

/// The storage type of a variable or dataset.
public enum GriddedDataType: String, Sendable, Codable, CaseIterable {
    /// Integer and IEEE floating-point types, by width.
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64
    /// NC_CHAR text.
    case char
    /// NC_STRING or HDF5 string.
    case string
    /// A compound, vlen, enum or opaque user type.
    case compound, vlen, enumeration, opaque
    /// Anything else.
    case unknown

    /// True for the integer and floating-point types wxens reads as numbers.
    public var isNumeric: Bool { byteSize != nil }

    /// Bytes per element for numeric types, nil otherwise.
    public var byteSize: Int? {
        switch self {
        case .int8, .uint8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        default: return nil
        }
    }

    /// True for integer types.
    public var isInteger: Bool { isNumeric && self != .float32 && self != .float64 }

    /// The unsigned type of the same size (for the `_Unsigned = "true"` convention).
    var unsignedCounterpart: GriddedDataType {
        switch self {
        case .int8: return .uint8
        case .int16: return .uint16
        case .int32: return .uint32
        case .int64: return .uint64
        default: return self
        }
    }
}

/// A named dimension as a file stores it.
public struct DimensionInfo: Sendable, Hashable, Codable {
    /// Dimension name.
    public var name: String
    /// Current length.
    public var size: Int
    /// True for an unlimited (record) dimension.
    public var isUnlimited: Bool

    /// A dimension description.
    public init(name: String, size: Int, isUnlimited: Bool = false) {
        self.name = name; self.size = size; self.isUnlimited = isUnlimited
    }
}

/// A variable (NetCDF) or dataset (HDF5) as listed by a reader.
public struct VariableInfo: Sendable, Equatable {
    /// Full path, starting with "/" (e.g. "/t2m", "/forecast/RMM1").
    public var path: String
    /// Name within its group.
    public var name: String
    /// Path of the group holding it ("/" for the root).
    public var groupPath: String
    /// Storage type.
    public var dataType: GriddedDataType
    /// Dimensions, outermost first.
    public var dimensions: [DimensionInfo]
    /// Attributes as stored (before CF decoding).
    public var attributes: Attributes
    /// Chunk shape for chunked storage, nil for contiguous or unknown.
    public var chunkShape: [Int]?
    /// zlib (deflate) level when compressed with zlib, nil otherwise.
    public var deflateLevel: Int?
    /// True when the shuffle filter is on.
    public var shuffle: Bool

    /// Sizes of the dimensions.
    public var shape: [Int] { dimensions.map(\.size) }
    /// Names of the dimensions.
    public var dimensionNames: [String] { dimensions.map(\.name) }
    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    // Library handles: NetCDF group id and variable id, or unused for HDF5.
    var groupID: Int32 = -1
    var varID: Int32 = -1

    /// A variable description.
    public init(path: String, name: String, groupPath: String, dataType: GriddedDataType, dimensions: [DimensionInfo],
                attributes: Attributes, chunkShape: [Int]? = nil, deflateLevel: Int? = nil, shuffle: Bool = false) {
        self.path = path; self.name = name; self.groupPath = groupPath; self.dataType = dataType
        self.dimensions = dimensions; self.attributes = attributes; self.chunkShape = chunkShape
        self.deflateLevel = deflateLevel; self.shuffle = shuffle
    }
}

/// A rectangular, strided selection: for each dimension `start`, `count` points, every `stride`-th.
public struct Hyperslab: Sendable, Hashable {
    /// First index along each dimension.
    public var start: [Int]
    /// Number of points along each dimension.
    public var count: [Int]
    /// Step along each dimension (1 = contiguous).
    public var stride: [Int]

    /// A hyperslab; `stride` defaults to all ones.
    public init(start: [Int], count: [Int], stride: [Int]? = nil) {
        self.start = start; self.count = count; self.stride = stride ?? Array(repeating: 1, count: start.count)
    }

    /// The whole of a shape.
    public static func all(_ shape: [Int]) -> Hyperslab { Hyperslab(start: shape.map { _ in 0 }, count: shape) }

    /// Number of points selected.
    public var elementCount: Int { count.reduce(1, *) }

    /// Throws `hyperslabOutOfBounds` unless the selection fits `shape`.
    func validate(shape: [Int], path: String, variable: String) throws {
        func fail(_ d: String) -> WXIOError { .hyperslabOutOfBounds(path: path, variable: variable, detail: d) }
        guard start.count == shape.count, count.count == shape.count, stride.count == shape.count else {
            throw fail("rank \(start.count)/\(count.count)/\(stride.count) given, variable has rank \(shape.count) with shape \(shape)")
        }
        for d in 0..<shape.count {
            guard start[d] >= 0, count[d] >= 0, stride[d] >= 1 else {
                throw fail("dimension \(d): start \(start[d]), count \(count[d]), stride \(stride[d]) must be >= 0, >= 0, >= 1")
            }
            let (span, o1) = (count[d] - 1).multipliedReportingOverflow(by: stride[d])
            let (last, o2) = start[d].addingReportingOverflow(span)
            if count[d] > 0 && (o1 || o2 || last >= shape[d]) {
                throw fail("dimension \(d): start \(start[d]) + (count \(count[d]) - 1) x stride \(stride[d]) reaches past size \(shape[d]) (shape \(shape))")
            }
            if count[d] == 0 && start[d] > shape[d] { throw fail("dimension \(d): start \(start[d]) past size \(shape[d])") }
        }
        _ = try ReadMemoryCap.product(count, path: path, variable: variable)
    }
}

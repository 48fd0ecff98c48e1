import WXCore

/// A NetCDF or HDF5 file wxens can list and read gridded variables from.
public protocol GriddedFile: AnyObject {
    /// The path the file was opened from.
    var path: String { get }
    /// A short name of the on-disk format (e.g. "netCDF-4", "classic", "HDF5").
    var formatName: String { get }
    /// Paths of all groups, "/" first, then depth-first ("/forecast", "/HDFEOS/SWATHS", ...).
    func groupPaths() throws -> [String]
    /// Dimensions defined in a group.
    func dimensions(inGroup group: String) throws -> [DimensionInfo]
    /// Variables (datasets) directly in a group.
    func variables(inGroup group: String) throws -> [VariableInfo]
    /// The variable at a path ("t2m", "/t2m" or "/forecast/RMM1").
    func variable(_ path: String) throws -> VariableInfo
    /// Attributes of a group ("/" for the global attributes).
    func attributes(ofGroup group: String) throws -> Attributes
    /// The coordinate variable of a dimension of `variable`, if the file has one.
    func coordinateVariable(forDimension index: Int, of variable: VariableInfo) throws -> VariableInfo?
    /// The CF decoding rules of a variable.
    func decoding(for variable: VariableInfo) throws -> CFDecoding
    /// Reads stored values of a numeric variable (in `decoding(for:).storedType`) into `buffer`,
    /// which must hold `slab.elementCount` of them. The slab must already be validated.
    func readStored(_ variable: VariableInfo, _ slab: Hyperslab, into buffer: UnsafeMutableRawPointer) throws
    /// Reads a validated hyperslab of a numeric variable CF-decoded with `decoding` into `out` (`slab.elementCount` values).
    func readDecoded<T: BinaryFloatingPoint & Sendable>(_ variable: VariableInfo, _ slab: Hyperslab, decoding: CFDecoding,
                                                       into out: UnsafeMutablePointer<T>) throws
}

extension GriddedFile {
    /// Reads the stored values into a buffer of their own, then decodes them into `out`.
    public func readDecoded<T: BinaryFloatingPoint & Sendable>(_ v: VariableInfo, _ slab: Hyperslab, decoding dec: CFDecoding,
                                                              into out: UnsafeMutablePointer<T>) throws {
        let n = slab.elementCount
        guard n > 0 else { return }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: n * (dec.storedType.byteSize ?? 8), alignment: 16)
        defer { raw.deallocate() }
        try readStored(v, slab, into: raw)
        dec.decode(raw: raw, count: n, into: out)
    }

    /// All variables in all groups.
    public func allVariables() throws -> [VariableInfo] {
        try groupPaths().flatMap { try variables(inGroup: $0) }
    }

    /// Reads a numeric variable (whole, or a hyperslab) as a CF-decoded field: missing values NaN,
    /// packed values unpacked, dimensions with recognised roles, coordinates of the selected points.
    public func readField<T: BinaryFloatingPoint & Sendable>(_ variablePath: String, as type: T.Type = T.self,
                                                             hyperslab: Hyperslab? = nil) throws -> Field<T> {
        let v = try variable(variablePath)
        guard v.dataType.isNumeric else {
            throw WXIOError.unsupportedType(path: path, variable: v.path, type: v.dataType.rawValue)
        }
        let slab = hyperslab ?? .all(v.shape)
        try slab.validate(shape: v.shape, path: path, variable: v.path)
        let dec = try decoding(for: v)
        let n = slab.elementCount
        try ReadMemoryCap.check(count: n, elementBytes: (dec.storedType.byteSize ?? 8) + MemoryLayout<T>.size, path: path,
                                variable: v.path, what: "a read")
        // Every point is written by the read, so the array is not zero-filled first (a pass over the output saved).
        let values = try [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            if n > 0 {
                HugePages.advise(UnsafeMutableRawPointer(buffer.baseAddress!), byteCount: n * MemoryLayout<T>.stride)
                try readDecoded(v, slab, decoding: dec, into: buffer.baseAddress!)
            }
            initialized = n
        }
        var dims: [Dimension] = []
        var coords: [String: Coordinate] = [:]
        let roles = try dimensionRoles(of: v)
        for (i, d) in v.dimensions.enumerated() {
            let cv = try coordinateVariable(forDimension: i, of: v)
            dims.append(Dimension(name: d.name, role: roles[i], size: slab.count[i]))
            if let cv {
                let sub = Hyperslab(start: [slab.start[i]], count: [slab.count[i]], stride: [slab.stride[i]])
                coords[d.name] = Coordinate(name: cv.name, values: try readDoubles(cv, sub),
                                            attributes: CFDecoding.decodedAttributes(cv.attributes))
            }
        }
        return Field(name: v.name, dimensions: dims, values: values, coordinates: coords,
                     attributes: CFDecoding.decodedAttributes(v.attributes))
    }

    /// Reads a numeric variable's decoded values as Double (whole or a hyperslab), without coordinates.
    public func readDoubles(_ variablePath: String, hyperslab: Hyperslab? = nil) throws -> [Double] {
        let v = try variable(variablePath)
        return try readDoubles(v, hyperslab ?? .all(v.shape))
    }

    /// The role of each dimension of a variable, from its name and coordinate variable.
    public func dimensionRoles(of v: VariableInfo) throws -> [DimensionRole] {
        DimensionRoleRecognition.roles(dimensionNames: v.dimensionNames,
                                       coordinateAttributes: try v.dimensions.indices.map { try coordinateVariable(forDimension: $0, of: v)?.attributes })
    }

    func readDoubles(_ v: VariableInfo, _ slab: Hyperslab) throws -> [Double] {
        guard v.dataType.isNumeric else {
            throw WXIOError.unsupportedType(path: path, variable: v.path, type: v.dataType.rawValue)
        }
        try slab.validate(shape: v.shape, path: path, variable: v.path)
        let dec = try decoding(for: v)
        let n = slab.elementCount
        try ReadMemoryCap.check(count: n, elementBytes: (dec.storedType.byteSize ?? 8) + 8, path: path, variable: v.path, what: "a read")
        var out = [Double](repeating: 0, count: n)
        try out.withUnsafeMutableBufferPointer { try readDecoded(v, slab, decoding: dec, into: $0.baseAddress!) }
        return out
    }
}

/// Reads one 2-D field (the last two dimensions) of a variable per call into a caller's buffer, reusing
/// its scratch memory: the fast path for streaming through a big file.
public final class PlaneReader<T: BinaryFloatingPoint & Sendable> {
    /// The file read from.
    public let file: GriddedFile
    /// The variable read.
    public let variable: VariableInfo
    /// CF decoding applied to every plane.
    public let decoding: CFDecoding
    /// Number of 2-D fields (product of all but the last two dimension sizes).
    public let planeCount: Int
    /// Points in one 2-D field.
    public let planeSize: Int
    private let leadingShape: [Int]
    private let planeShape: [Int]
    private var scratch: UnsafeMutableRawPointer?
    private let storedSize: Int

    /// A reader of the 2-D fields of `variablePath` (a 1-D or scalar variable is one plane).
    public init(file: GriddedFile, variable variablePath: String) throws {
        self.file = file
        let v = try file.variable(variablePath)
        guard v.dataType.isNumeric else {
            throw WXIOError.unsupportedType(path: file.path, variable: v.path, type: v.dataType.rawValue)
        }
        variable = v
        decoding = try file.decoding(for: v)
        let shape = v.shape
        let k = max(0, shape.count - 2)
        leadingShape = Array(shape[..<k])
        planeShape = Array(shape[k...])
        planeCount = try ReadMemoryCap.product(leadingShape, path: file.path, variable: v.path)
        planeSize = try ReadMemoryCap.product(planeShape, path: file.path, variable: v.path)
        storedSize = decoding.storedType.byteSize ?? 8
        try ReadMemoryCap.check(count: planeSize, elementBytes: storedSize + MemoryLayout<T>.size, path: file.path,
                                variable: v.path, what: "a 2-D field")
        let direct = (decoding.storedType == .float32 && T.self == Float.self) || (decoding.storedType == .float64 && T.self == Double.self)
        scratch = direct ? nil : UnsafeMutableRawPointer.allocate(byteCount: max(1, planeSize * storedSize), alignment: 64)
    }

    deinit { scratch?.deallocate() }

    /// Reads plane `index` (row-major over the leading dimensions) into `buffer` (at least `planeSize` long).
    public func read(plane index: Int, into buffer: UnsafeMutableBufferPointer<T>) throws {
        guard index >= 0 && index < planeCount else {
            throw WXIOError.hyperslabOutOfBounds(path: file.path, variable: variable.path,
                                                 detail: "plane \(index) of \(planeCount)")
        }
        guard buffer.count >= planeSize, let out = buffer.baseAddress else {
            throw WXIOError.invalidArgument(path: file.path, variable: variable.path,
                                            detail: "buffer holds \(buffer.count) values, a 2-D field needs \(planeSize)")
        }
        var start = [Int](repeating: 0, count: leadingShape.count)
        var r = index
        for d in stride(from: leadingShape.count - 1, through: 0, by: -1) {
            start[d] = r % leadingShape[d]
            r /= leadingShape[d]
        }
        let slab = Hyperslab(start: start + planeShape.map { _ in 0 },
                             count: leadingShape.map { _ in 1 } + planeShape)
        if let scratch {
            try file.readStored(variable, slab, into: scratch)
            decoding.decode(raw: scratch, count: planeSize, into: out)
        } else {
            try file.readStored(variable, slab, into: UnsafeMutableRawPointer(out))
            if !decoding.isIdentity { decoding.decode(raw: UnsafeRawPointer(out), count: planeSize, into: out) }
        }
    }
}

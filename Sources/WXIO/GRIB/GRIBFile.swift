import CEcCodes
import Foundation
import WXCore

/// One or several GRIB1/GRIB2 files (e.g. GEFS's one file per member and step) read through ecCodes and presented as one
/// CF hypercube the way cfgrib + xarray present it, so its fields are the same as those of the NetCDF file cfgrib would write.
public final class GRIBFile: GriddedFile, @unchecked Sendable {
    /// The path the file was opened from (the paths joined by a space when several were given).
    public let path: String
    /// The files given together.
    public let paths: [String]
    /// "GRIB1", "GRIB2" or "GRIB1+GRIB2".
    public let formatName: String
    /// The filter the messages were selected with.
    public let filter: GRIBFilter
    /// The messages kept by the filter, in file order.
    public let messages: [GRIBMessage]
    /// True when every file's messages came from its index beside it (`<file>.wxens.idx`) rather than a scan.
    public let messagesFromIndex: Bool
    let cube: GRIBHypercube
    private let descriptors: [Int32]
    private let cacheLock = NSLock()
    private var cachedField: (message: Int, values: [Float])?

    /// Opens one GRIB file, keeping the messages that match `filter`; `index` uses and keeps the file's message index
    /// beside it (on unless `WXENS_GRIB_INDEX=off`).
    public convenience init(path: String, filter: GRIBFilter = .none, index: Bool = GRIBFile.indexByDefault) throws {
        try self.init(paths: [path], filter: filter, index: index)
    }

    /// Opens several GRIB files as one hypercube, keeping the messages that match `filter`; `index` uses and keeps each
    /// file's message index beside it.
    public init(paths: [String], filter: GRIBFilter = .none, index: Bool = GRIBFile.indexByDefault) throws {
        precondition(!paths.isEmpty, "GRIBFile needs at least one path")
        self.paths = paths
        path = paths.joined(separator: " ")
        self.filter = filter
        var all: [GRIBMessage] = []
        var fromIndex = true
        for (i, p) in paths.enumerated() {
            let got = try GRIBIndexCache.messages(path: p, fileIndex: i, extraKeys: filter.keys, enabled: index)
            all += got.messages
            fromIndex = fromIndex && got.fromIndex
        }
        messagesFromIndex = fromIndex
        messages = all.filter { filter.matches($0) }
        if messages.isEmpty {
            let detail = filter.conditions.map { c in
                "\(c.key) takes \(GRIBHypercube.distinct(all.indices, c.key, all).joined(separator: ", "))"
            }.joined(separator: "; ")
            throw GRIBError.invalidFilter(path: path, filter: filter.description, detail: "no message matches (\(detail))")
        }
        let editions = Set(messages.compactMap { $0.integer("edition") }).sorted()
        formatName = editions.map { "GRIB\($0)" }.joined(separator: "+")
        var fds: [Int32] = []
        for p in paths {
            let fd = open(p, O_RDONLY)
            guard fd >= 0 else { fds.forEach { close($0) }; throw WXIOError.fileNotFound(path: p) }
            fds.append(fd)
        }
        descriptors = fds
        let kept = messages
        let ps = paths
        do {
            cube = try GRIBHypercube(messages: kept, path: path) { i in
                try GRIBFile.gridAxes(kept[i], path: ps[kept[i].fileIndex], descriptor: fds[kept[i].fileIndex])
            }
        } catch {
            fds.forEach { close($0) }
            throw error
        }
    }

    deinit { descriptors.forEach { close($0) } }

    /// Whether GRIB files are opened with their message index: true unless the environment has `WXENS_GRIB_INDEX=off`.
    public static var indexByDefault: Bool { GRIBIndexCache.enabled() }

    /// The version of the ecCodes library wxens runs on ("2.28.0").
    public static var ecCodesVersion: String {
        let v = codes_get_api_version()
        return "\(v / 10000).\(v / 100 % 100).\(v % 100)"
    }

    /// True when the file starts with the `GRIB` indicator of a GRIB1 or GRIB2 message.
    public static func startsWithGRIBMagic(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return (try? h.read(upToCount: 4)) == Data("GRIB".utf8)
    }

    /// The distinct latitudes and longitudes ecCodes gives a regular grid message, in the file's order.
    static func gridAxes(_ m: GRIBMessage, path: String, descriptor: Int32) throws -> (latitudes: [Double], longitudes: [Double]) {
        var bytes = [UInt8](repeating: 0, count: m.length)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, m.length, off_t(m.offset)) }
        guard got == m.length else {
            throw WXIOError.truncatedOrCorrupt(path: path, detail: "GRIB message at byte \(m.offset) has \(max(got, 0)) of \(m.length) bytes")
        }
        return try CLibraryLock.with {
            guard let h = bytes.withUnsafeBytes({ codes_handle_new_from_message_copy(nil, $0.baseAddress, m.length) }) else {
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "ecCodes cannot parse the GRIB message at byte \(m.offset)")
            }
            defer { codes_handle_delete(h) }
            guard let lat = GRIBMessageScanner.doubles(h, "distinctLatitudes"), let lon = GRIBMessageScanner.doubles(h, "distinctLongitudes") else {
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "ecCodes gives no latitudes/longitudes for the GRIB message at byte \(m.offset)")
            }
            return (lat, lon)
        }
    }

    // MARK: - GriddedFile

    /// Only the root group.
    public func groupPaths() throws -> [String] { ["/"] }

    /// The hypercube's dimensions.
    public func dimensions(inGroup group: String) throws -> [DimensionInfo] {
        guard group == "/" || group.isEmpty else { throw WXIOError.groupNotFound(path: path, group: group) }
        return cube.dimensions
    }

    /// Coordinates first, then the data variables (by `paramId`), as cfgrib's NetCDF output lists them.
    public func variables(inGroup group: String) throws -> [VariableInfo] {
        guard group == "/" || group.isEmpty else { throw WXIOError.groupNotFound(path: path, group: group) }
        return cube.coordinates.map(GRIBFile.info) + cube.variables.map(\.info)
    }

    /// A data variable or coordinate by name ("t", "/t", "latitude").
    public func variable(_ variablePath: String) throws -> VariableInfo {
        let name = variablePath.hasPrefix("/") ? String(variablePath.dropFirst()) : variablePath
        if let v = cube.variables.first(where: { $0.info.name == name }) { return v.info }
        if let c = cube.coordinates.first(where: { $0.name == name }) { return GRIBFile.info(c) }
        throw WXIOError.variableNotFound(path: path, variable: variablePath)
    }

    /// Global attributes (`GRIB_edition`, `GRIB_centre`, ..., `Conventions`, `institution`).
    public func attributes(ofGroup group: String) throws -> Attributes {
        guard group == "/" || group.isEmpty else { throw WXIOError.groupNotFound(path: path, group: group) }
        return cube.attributes
    }

    /// The coordinate named like the dimension, when it is one-dimensional along it.
    public func coordinateVariable(forDimension index: Int, of v: VariableInfo) throws -> VariableInfo? {
        guard index >= 0 && index < v.dimensions.count else { return nil }
        let d = v.dimensions[index].name
        return cube.coordinates.first { $0.name == d && $0.dimensions.map(\.name) == [d] }.map(GRIBFile.info)
    }

    /// No CF packing: values are float32 with NaN where missing, coordinates as stored.
    public func decoding(for v: VariableInfo) throws -> CFDecoding {
        CFDecoding(dataType: v.dataType, attributes: v.attributes, netCDFDefaultFill: false)
    }

    /// Reads a validated hyperslab: coordinates from memory, data fields by decoding their messages (NaN where the hypercube
    /// has no message); a variable on a grid that is not regular_ll or regular_gg throws `GRIBError.unsupportedGrid`.
    public func readStored(_ v: VariableInfo, _ slab: Hyperslab, into buffer: UnsafeMutableRawPointer) throws {
        if slab.elementCount == 0 { return }
        if let c = cube.coordinates.first(where: { $0.name == v.name }), !cube.variables.contains(where: { $0.info.name == v.name }) {
            let shape = c.dimensions.map(\.size)
            var k = 0
            GRIBFile.forEachOffset(shape: shape, slab: slab) { off in
                if c.dataType == .int64 {
                    buffer.storeBytes(of: Int64(c.values[off]), toByteOffset: k * 8, as: Int64.self)
                } else {
                    buffer.storeBytes(of: c.values[off], toByteOffset: k * 8, as: Double.self)
                }
                k += 1
            }
            return
        }
        guard let gv = cube.variables.first(where: { $0.info.name == v.name }) else {
            throw WXIOError.variableNotFound(path: path, variable: v.path)
        }
        guard GRIBCFAttributes.readableGrids.contains(gv.gridType) else {
            throw GRIBError.unsupportedGrid(path: path, variable: v.name, gridType: gv.gridType)
        }
        let h = gv.headerShape.count
        let rows = gv.gridShape[0], columns = gv.gridShape[1]
        let out = UncheckedFloats(buffer.assumingMemoryBound(to: Float.self))
        let headerSlab = Hyperslab(start: Array(slab.start[..<h]), count: Array(slab.count[..<h]), stride: Array(slab.stride[..<h]))
        let planePoints = slab.count[h] * slab.count[h + 1]
        let wholeGrid = slab.start[h] == 0 && slab.start[h + 1] == 0 && slab.count[h] == rows && slab.count[h + 1] == columns
            && slab.stride[h] == 1 && slab.stride[h + 1] == 1
        var fields: [Int] = []
        GRIBFile.forEachOffset(shape: gv.headerShape, slab: headerSlab) { fields.append($0) }
        /// Copies the slab's points of a whole decoded field to plane `k` of the output.
        func pick(_ values: UnsafePointer<Float>, _ k: Int) {
            let dst = out.pointer + k * planePoints
            var j = 0
            for r in 0..<slab.count[h] {
                let row = (slab.start[h] + r * slab.stride[h]) * columns
                for c in 0..<slab.count[h + 1] {
                    dst[j] = values[row + slab.start[h + 1] + c * slab.stride[h + 1]]
                    j += 1
                }
            }
        }
        if fields.count == 1 {
            guard let m = gv.messageOfField[fields[0]] else { out.pointer.update(repeating: .nan, count: planePoints); return }
            try fieldValues(m, rows: rows, columns: columns, variable: v.name).withUnsafeBufferPointer { pick($0.baseAddress!, 0) }
            return
        }
        // One message per task, decoded into its own plane of the output: the bytes do not depend on the thread count.
        var failures = [Error?](repeating: nil, count: fields.count)
        let failureLock = NSLock()
        Parallel.forEach(fields.count, perWorker: { GRIBDecodeScratch() }) { scratch, k in
            guard let m = gv.messageOfField[fields[k]] else {
                (out.pointer + k * planePoints).update(repeating: .nan, count: planePoints)
                return
            }
            let msg = messages[m]
            do {
                let dst = wholeGrid ? out.pointer + k * planePoints : scratch.field(rows * columns)
                try GRIBFieldDecoder.decode(descriptor: descriptors[msg.fileIndex], message: msg, rows: rows, columns: columns,
                                            path: paths[msg.fileIndex], variable: v.name, scratch: scratch, into: dst)
                if !wholeGrid { pick(dst, k) }
            } catch {
                failureLock.lock()
                failures[k] = error
                failureLock.unlock()
            }
        }
        if let first = failures.lazy.compactMap({ $0 }).first { throw first }
    }

    /// Reads a validated hyperslab CF-decoded into `out`: float32 values read as Float need no decoding (missing points are
    /// already NaN), so they are decoded from their messages straight into `out`; anything else through a buffer of
    /// stored values, as for every reader.
    public func readDecoded<T: BinaryFloatingPoint & Sendable>(_ v: VariableInfo, _ slab: Hyperslab, decoding dec: CFDecoding,
                                                              into out: UnsafeMutablePointer<T>) throws {
        let n = slab.elementCount
        guard n > 0 else { return }
        if T.self == Float.self, dec.storedType == .float32, dec.maskValues.isEmpty, dec.validMin == nil, dec.validMax == nil,
           dec.scaleFactor == nil, dec.addOffset == nil {
            try readStored(v, slab, into: UnsafeMutableRawPointer(out))
            return
        }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: n * (dec.storedType.byteSize ?? 8), alignment: 16)
        defer { raw.deallocate() }
        try readStored(v, slab, into: raw)
        dec.decode(raw: raw, count: n, into: out)
    }

    /// The decoded values of message `m`, keeping the last one decoded (a plane is often read in several slabs).
    private func fieldValues(_ m: Int, rows: Int, columns: Int, variable: String) throws -> [Float] {
        cacheLock.lock()
        if let c = cachedField, c.message == m { cacheLock.unlock(); return c.values }
        cacheLock.unlock()
        let msg = messages[m]
        let values = try GRIBFieldDecoder.values(descriptor: descriptors[msg.fileIndex], message: msg, rows: rows, columns: columns,
                                                 path: paths[msg.fileIndex], variable: variable)
        cacheLock.lock()
        cachedField = (m, values)
        cacheLock.unlock()
        return values
    }

    private static func info(_ c: GRIBCoordinate) -> VariableInfo {
        VariableInfo(path: "/" + c.name, name: c.name, groupPath: "/", dataType: c.dataType, dimensions: c.dimensions, attributes: c.attributes)
    }

    /// Calls `body` with the row-major offset of every point of `slab` in an array of `shape`, in slab order.
    static func forEachOffset(shape: [Int], slab: Hyperslab, _ body: (Int) -> Void) {
        let n = shape.count
        if n == 0 { body(0); return }
        if slab.count.contains(0) { return }
        var idx = [Int](repeating: 0, count: n)
        while true {
            var off = 0
            for d in 0..<n { off = off * shape[d] + slab.start[d] + idx[d] * slab.stride[d] }
            body(off)
            var d = n - 1
            while d >= 0 {
                idx[d] += 1
                if idx[d] < slab.count[d] { break }
                idx[d] = 0
                d -= 1
            }
            if d < 0 { return }
        }
    }
}

/// The output of a read, handed to workers that each write their own planes of it.
private struct UncheckedFloats: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ p: UnsafeMutablePointer<Float>) { pointer = p }
}

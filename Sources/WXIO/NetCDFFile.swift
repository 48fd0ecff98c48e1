import CNetCDF
import Foundation
import WXCore

/// A NetCDF file (classic, 64-bit offset, CDF-5, netCDF-4/HDF5 with groups) opened read-only through libnetcdf.
public final class NetCDFFile: GriddedFile, @unchecked Sendable {
    /// The path the file was opened from.
    public let path: String
    /// The root group's ncid.
    let ncid: Int32
    /// The on-disk format as `nc_inq_format` reports it.
    public let formatName: String
    /// True for netCDF-4 (HDF5-based) files.
    public let isNetCDF4: Bool
    /// Length of the file in bytes when it was opened.
    let fileLength: Int
    private var closed = false

    /// Opens a file read-only (NC_NOWRITE); throws `WXIOError` if it is missing, not NetCDF, or corrupt.
    public init(path: String) throws {
        self.path = path
        fileLength = try InputFileCheck.requireRegularFile(path)
        // libnetcdf's classic header parser trusts the lengths it reads (a corrupt name length becomes a 4 GB calloc;
        // flipped bytes have crashed its name hash map), so a classic header is checked here before nc_open sees it.
        if FileSignature.of(path) == .classic, let problem = NetCDFFile.classicLengthProblem(path) {
            throw WXIOError.truncatedOrCorrupt(path: path, detail: problem)
        }
        var id: Int32 = -1
        let status = CLibraryLock.with { nc_open(path, NC_NOWRITE, &id) }
        guard status == NC_NOERR else { throw NetCDFFile.openError(path: path, status: status) }
        ncid = id
        var fmt: Int32 = 0
        _ = CLibraryLock.with { nc_inq_format(id, &fmt) }
        switch fmt {
        case NC_FORMAT_CLASSIC: formatName = "classic"
        case NC_FORMAT_64BIT_OFFSET: formatName = "64-bit offset"
        case NC_FORMAT_CDF5: formatName = "CDF-5"
        case NC_FORMAT_NETCDF4: formatName = "netCDF-4"
        case NC_FORMAT_NETCDF4_CLASSIC: formatName = "netCDF-4 classic model"
        default: formatName = "unknown (\(fmt))"
        }
        isNetCDF4 = fmt == NC_FORMAT_NETCDF4 || fmt == NC_FORMAT_NETCDF4_CLASSIC
    }

    /// Why a classic-format file cannot be what its header says (shorter than its data, cut inside the header, the
    /// streaming record count), or nil.
    static func classicLengthProblem(_ path: String) -> String? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        let size = (try? h.seekToEnd()).map { Int($0) } ?? 0
        try? h.seek(toOffset: 0)
        // The header of every real classic file fits in a few MB; a header longer than what is read is left to libnetcdf.
        let header = [UInt8]((try? h.read(upToCount: min(size, 8 << 20))) ?? Data())
        var problem: String? = nil
        switch ClassicFormatSize.verdict(header: header, fileSize: size) {
        case .needs(let need) where size < need:
            problem = "the file has \(size) bytes, its header places data up to byte \(need)"
        case .headerCutAt(let n) where n == size:
            problem = "the file ends inside its header, at byte \(n)"
        case .streamingRecordCount:
            problem = "the record count is the streaming marker 0xFFFFFFFF (the writer never stored the real count)"
        case .corrupt(let why):
            problem = "its header is corrupt: \(why)"
        default: break
        }
        return problem
    }

    deinit { close() }

    /// Closes the file (also done when the object is released).
    public func close() {
        guard !closed else { return }
        closed = true
        _ = CLibraryLock.with { nc_close(ncid) }
    }

    /// Which error an `nc_open` failure means: a file that starts like NetCDF/HDF5 but fails is truncated or corrupt.
    static func openError(path: String, status: Int32) -> WXIOError {
        let message = CLibraryLock.with { String(cString: nc_strerror(status)) }
        let head = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: path)).read(upToCount: 8)) ?? nil
        let bytes = head.map { [UInt8]($0) } ?? []
        let isCDF = bytes.count >= 4 && bytes[0] == 0x43 && bytes[1] == 0x44 && bytes[2] == 0x46 && [1, 2, 5].contains(bytes[3])
        let isHDF = bytes.count >= 8 && bytes == [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]
        if isCDF || isHDF { return .truncatedOrCorrupt(path: path, detail: "nc_open: \(message)") }
        if status == NC_ENOTNC || status == NC_EHDFERR || bytes.count < 8 { return .notNetCDFOrHDF5(path: path) }
        return .libraryError(path: path, variable: nil, call: "nc_open", code: Int(status), message: message)
    }

    func check(_ status: Int32, _ call: String, _ variable: String? = nil) throws {
        guard status != NC_NOERR else { return }
        throw WXIOError.libraryError(path: path, variable: variable, call: call, code: Int(status),
                                     message: CLibraryLock.with { String(cString: nc_strerror(status)) })
    }

    // MARK: - groups

    /// The ncid of a group path ("/" or "" = root).
    func groupID(_ group: String) throws -> Int32 {
        let g = group.hasPrefix("/") ? group : "/" + group
        if g == "/" { return ncid }
        var gid: Int32 = 0
        let trimmed = g.hasSuffix("/") ? String(g.dropLast()) : g
        let st = CLibraryLock.with { nc_inq_grp_full_ncid(ncid, trimmed, &gid) }
        guard st == NC_NOERR else { throw WXIOError.groupNotFound(path: path, group: group) }
        return gid
    }

    func groupPath(_ gid: Int32) throws -> String {
        try CLibraryLock.with {
            var len = 0
            try check(nc_inq_grpname_full(gid, &len, nil), "nc_inq_grpname_full")
            var buf = [CChar](repeating: 0, count: len + 1)
            try check(nc_inq_grpname_full(gid, &len, &buf), "nc_inq_grpname_full")
            return String(cString: buf)
        }
    }

    func subgroups(_ gid: Int32) throws -> [Int32] {
        guard isNetCDF4 else { return [] }
        return try CLibraryLock.with {
            var n: Int32 = 0
            try check(nc_inq_grps(gid, &n, nil), "nc_inq_grps")
            var ids = [Int32](repeating: 0, count: Int(n))
            if n > 0 { try check(nc_inq_grps(gid, &n, &ids), "nc_inq_grps") }
            return ids
        }
    }

    /// Paths of all groups, "/" first, depth-first, walked with its own stack and a depth limit (as `HDF5File`'s).
    public func groupPaths() throws -> [String] {
        var out: [String] = []
        var visited: Set<Int32> = [ncid]
        var stack: [(gid: Int32, depth: Int)] = [(ncid, 0)]
        while let (gid, depth) = stack.popLast() {
            out.append(try groupPath(gid))
            let subs = try subgroups(gid).filter { visited.insert($0).inserted }
            if !subs.isEmpty && depth + 1 > HDF5File.maxGroupDepth {
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "groups nest deeper than \(HDF5File.maxGroupDepth) levels")
            }
            stack += subs.reversed().map { ($0, depth + 1) }
        }
        return out
    }

    /// Attributes of a group ("/" = global attributes).
    public func attributes(ofGroup group: String) throws -> Attributes {
        try attributes(try groupID(group), NC_GLOBAL, nil)
    }

    /// Dimensions defined in a group.
    public func dimensions(inGroup group: String) throws -> [DimensionInfo] {
        let gid = try groupID(group)
        return try CLibraryLock.with {
            var n: Int32 = 0
            try check(nc_inq_dimids(gid, &n, nil, 0), "nc_inq_dimids")
            var ids = [Int32](repeating: 0, count: Int(n))
            if n > 0 { try check(nc_inq_dimids(gid, &n, &ids, 0), "nc_inq_dimids") }
            return try ids.map { try dimensionInfo(gid, $0) }
        }
    }

    private func dimensionInfo(_ gid: Int32, _ dimid: Int32) throws -> DimensionInfo {
        var name = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
        var len = 0
        try check(nc_inq_dim(gid, dimid, &name, &len), "nc_inq_dim")
        return DimensionInfo(name: String(cString: name), size: len, isUnlimited: try unlimitedDimIDs(gid).contains(dimid))
    }

    private func unlimitedDimIDs(_ gid: Int32) throws -> Set<Int32> {
        var out = Set<Int32>()
        var g = gid
        while true {
            var n: Int32 = 0
            if nc_inq_unlimdims(g, &n, nil) == NC_NOERR, n > 0 {
                var ids = [Int32](repeating: 0, count: Int(n))
                if nc_inq_unlimdims(g, &n, &ids) == NC_NOERR { out.formUnion(ids) }
            }
            guard isNetCDF4 else { break }
            var parent: Int32 = 0
            guard nc_inq_grp_parent(g, &parent) == NC_NOERR else { break }
            g = parent
        }
        return out
    }

    // MARK: - variables

    /// Variables (datasets) directly in a group.
    public func variables(inGroup group: String) throws -> [VariableInfo] {
        let gid = try groupID(group)
        let ids: [Int32] = try CLibraryLock.with {
            var n: Int32 = 0
            try check(nc_inq_varids(gid, &n, nil), "nc_inq_varids")
            var ids = [Int32](repeating: 0, count: Int(n))
            if n > 0 { try check(nc_inq_varids(gid, &n, &ids), "nc_inq_varids") }
            return ids
        }
        let gpath = try groupPath(gid)
        return try ids.map { try variableInfo(gid, $0, groupPath: gpath) }
    }

    /// The variable at a path ("t2m", "/t2m", "/forecast/RMM1").
    public func variable(_ variablePath: String) throws -> VariableInfo {
        let p = variablePath.hasPrefix("/") ? variablePath : "/" + variablePath
        guard let slash = p.lastIndex(of: "/") else { throw WXIOError.variableNotFound(path: path, variable: variablePath) }
        let group = String(p[..<slash]).isEmpty ? "/" : String(p[..<slash])
        let name = String(p[p.index(after: slash)...])
        let gid: Int32
        do { gid = try groupID(group) } catch { throw WXIOError.variableNotFound(path: path, variable: variablePath) }
        var varid: Int32 = 0
        let st = CLibraryLock.with { nc_inq_varid(gid, name, &varid) }
        guard st == NC_NOERR, !name.isEmpty else { throw WXIOError.variableNotFound(path: path, variable: variablePath) }
        return try variableInfo(gid, varid, groupPath: try groupPath(gid))
    }

    private func variableInfo(_ gid: Int32, _ varid: Int32, groupPath gpath: String) throws -> VariableInfo {
        try CLibraryLock.with {
            var name = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
            var xtype: nc_type = 0
            var ndims: Int32 = 0
            try check(nc_inq_var(gid, varid, &name, &xtype, &ndims, nil, nil), "nc_inq_var")
            var dimids = [Int32](repeating: 0, count: Int(max(ndims, 1)))
            try check(nc_inq_vardimid(gid, varid, &dimids), "nc_inq_vardimid")
            let vname = String(cString: name)
            let dims = try dimids.prefix(Int(ndims)).map { try dimensionInfo(gid, $0) }
            let fullPath = (gpath == "/" ? "" : gpath) + "/" + vname
            var info = VariableInfo(path: fullPath, name: vname, groupPath: gpath, dataType: try dataType(gid, xtype),
                                    dimensions: dims, attributes: try attributes(gid, varid, fullPath))
            if isNetCDF4 && ndims > 0 {
                var storage: Int32 = 0
                var chunks = [Int](repeating: 0, count: Int(ndims))
                if nc_inq_var_chunking(gid, varid, &storage, &chunks) == NC_NOERR, storage == NC_CHUNKED {
                    info.chunkShape = chunks
                }
                var shuffle: Int32 = 0, deflate: Int32 = 0, level: Int32 = 0
                if nc_inq_var_deflate(gid, varid, &shuffle, &deflate, &level) == NC_NOERR {
                    info.shuffle = shuffle != 0
                    info.deflateLevel = deflate != 0 ? Int(level) : nil
                }
            }
            info.groupID = gid
            info.varID = varid
            return info
        }
    }

    private func dataType(_ gid: Int32, _ xtype: nc_type) throws -> GriddedDataType {
        switch xtype {
        case NC_BYTE: return .int8
        case NC_UBYTE: return .uint8
        case NC_CHAR: return .char
        case NC_SHORT: return .int16
        case NC_USHORT: return .uint16
        case NC_INT: return .int32
        case NC_UINT: return .uint32
        case NC_INT64: return .int64
        case NC_UINT64: return .uint64
        case NC_FLOAT: return .float32
        case NC_DOUBLE: return .float64
        case NC_STRING: return .string
        default:
            var cls: Int32 = 0
            guard nc_inq_user_type(gid, xtype, nil, nil, nil, nil, &cls) == NC_NOERR else { return .unknown }
            switch cls {
            case NC_VLEN: return .vlen
            case NC_OPAQUE: return .opaque
            case NC_ENUM: return .enumeration
            case NC_COMPOUND: return .compound
            default: return .unknown
            }
        }
    }

    // MARK: - attributes

    private func attributes(_ gid: Int32, _ varid: Int32, _ variable: String?) throws -> Attributes {
        try CLibraryLock.with {
            var n: Int32 = 0
            if varid == NC_GLOBAL {
                try check(nc_inq_natts(gid, &n), "nc_inq_natts")
            } else {
                try check(nc_inq_varnatts(gid, varid, &n), "nc_inq_varnatts", variable)
            }
            var out: Attributes = [:]
            for i in 0..<n {
                var name = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
                try check(nc_inq_attname(gid, varid, i, &name), "nc_inq_attname", variable)
                let key = String(cString: name)
                if let v = try attribute(gid, varid, key, variable) { out[key] = v }
            }
            return out
        }
    }

    private func attribute(_ gid: Int32, _ varid: Int32, _ name: String, _ variable: String?) throws -> AttributeValue? {
        var xtype: nc_type = 0
        var len = 0
        try check(nc_inq_att(gid, varid, name, &xtype, &len), "nc_inq_att(\(name))", variable)
        switch xtype {
        case NC_CHAR:
            var buf = [CChar](repeating: 0, count: len + 1)
            if len > 0 { try check(nc_get_att_text(gid, varid, name, &buf), "nc_get_att_text(\(name))", variable) }
            return .string(String(decoding: buf.prefix(len).map { UInt8(bitPattern: $0) }.prefix { $0 != 0 }, as: UTF8.self))
        case NC_STRING:
            var ptrs = [UnsafeMutablePointer<CChar>?](repeating: nil, count: max(len, 1))
            try check(nc_get_att_string(gid, varid, name, &ptrs), "nc_get_att_string(\(name))", variable)
            let strings = ptrs.prefix(len).map { $0.map { String(cString: $0) } ?? "" }
            _ = nc_free_string(len, &ptrs)
            return strings.count == 1 ? .string(strings[0]) : .strings(strings)
        case NC_BYTE, NC_UBYTE, NC_SHORT, NC_USHORT, NC_INT, NC_UINT, NC_INT64:
            var vals = [Int64](repeating: 0, count: max(len, 1))
            try check(nc_get_att_longlong(gid, varid, name, &vals), "nc_get_att_longlong(\(name))", variable)
            return .integers(Array(vals.prefix(len)))
        case NC_UINT64:
            var vals = [UInt64](repeating: 0, count: max(len, 1))
            try check(nc_get_att_ulonglong(gid, varid, name, &vals), "nc_get_att_ulonglong(\(name))", variable)
            if vals.prefix(len).allSatisfy({ $0 <= UInt64(Int64.max) }) { return .integers(vals.prefix(len).map { Int64($0) }) }
            return .doubles(vals.prefix(len).map { Double($0) })
        case NC_FLOAT, NC_DOUBLE:
            var vals = [Double](repeating: 0, count: max(len, 1))
            try check(nc_get_att_double(gid, varid, name, &vals), "nc_get_att_double(\(name))", variable)
            return .doubles(Array(vals.prefix(len)))
        default:
            return nil // user-defined attribute types are not listed
        }
    }

    // MARK: - reading

    /// The coordinate variable of a dimension of `v`, if any.
    public func coordinateVariable(forDimension index: Int, of v: VariableInfo) throws -> VariableInfo? {
        guard index >= 0 && index < v.dimensions.count else { return nil }
        let dimName = v.dimensions[index].name
        var g = v.groupID
        while true {
            var varid: Int32 = 0
            if CLibraryLock.with({ nc_inq_varid(g, dimName, &varid) }) == NC_NOERR {
                let info = try variableInfo(g, varid, groupPath: try groupPath(g))
                if info.dimensions.count == 1, info.dimensions[0].name == dimName, info.dataType.isNumeric { return info }
            }
            guard isNetCDF4 else { return nil }
            var parent: Int32 = 0
            guard CLibraryLock.with({ nc_inq_grp_parent(g, &parent) }) == NC_NOERR else { return nil }
            g = parent
        }
    }

    /// The CF decoding rules of a variable.
    public func decoding(for v: VariableInfo) throws -> CFDecoding {
        var noFill: Int32 = 0
        if v.dataType.isNumeric {
            _ = CLibraryLock.with { nc_inq_var_fill(v.groupID, v.varID, &noFill, nil) }
        }
        var float32: Set<String> = []
        for name in ["scale_factor", "add_offset"] where v.attributes[name] != nil {
            var t: nc_type = 0
            if CLibraryLock.with({ nc_inq_atttype(v.groupID, v.varID, name, &t) }) == NC_NOERR, t == NC_FLOAT { float32.insert(name) }
        }
        return CFDecoding(dataType: v.dataType, attributes: v.attributes, netCDFDefaultFill: true, fillModeOff: noFill == 1,
                          float32Attributes: float32)
    }

    /// Reads stored values of a validated hyperslab into `buffer`.
    public func readStored(_ v: VariableInfo, _ slab: Hyperslab, into buffer: UnsafeMutableRawPointer) throws {
        guard v.dataType.isNumeric else {
            throw WXIOError.unsupportedType(path: path, variable: v.path, type: v.dataType.rawValue)
        }
        if slab.elementCount == 0 { return }
        let start = slab.start, count = slab.count
        let strided = slab.stride.contains { $0 != 1 }
        let st: Int32 = CLibraryLock.with {
            if v.dimensions.isEmpty { return nc_get_var(v.groupID, v.varID, buffer) }
            if strided {
                let s = slab.stride.map { Int($0) }
                return nc_get_vars(v.groupID, v.varID, start, count, s, buffer)
            }
            return nc_get_vara(v.groupID, v.varID, start, count, buffer)
        }
        guard st == NC_NOERR else {
            let message = CLibraryLock.with { String(cString: nc_strerror(st)) }
            if st == NC_EHDFERR || st == NC_ENOTNC || st == NC_EIO || st == NC_EINVALCOORDS && !isNetCDF4 {
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "reading \(v.path): \(message)")
            }
            throw WXIOError.libraryError(path: path, variable: v.path, call: strided ? "nc_get_vars" : "nc_get_vara",
                                         code: Int(st), message: message)
        }
    }
}

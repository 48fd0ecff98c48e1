import CHDF5
import Foundation
import WXCore

/// A plain HDF5 file (h5py output, HDF-EOS5 `.he5`) opened read-only through libhdf5.
///
/// Datasets are variables and groups are groups. Dimension names come from a `dimensions` text attribute
/// ("time latitude longitude", as some writers leave) when it matches the rank, else `phony_dim_<k>`;
/// the coordinate variable of a dimension is a 1-D dataset of that name and length, looked for in the
/// dataset's group, then its ancestors, then anywhere in the file. CF attributes (`_FillValue`,
/// `missing_value`, `valid_*`, `scale_factor`, `add_offset`) are decoded as for NetCDF, without the netCDF
/// default fill values.
public final class HDF5File: GriddedFile, @unchecked Sendable {
    /// The path the file was opened from.
    public let path: String
    /// Always "HDF5".
    public let formatName = "HDF5"
    let fid: hid_t
    /// Length of the file in bytes when it was opened.
    let fileLength: Int
    /// Bytes of the user block before the HDF5 data (-1 when HDF5 cannot tell).
    let userBlockBytes: Int
    private var closed = false
    private var datasetIndex: [String: [String]]? // dataset name -> full paths

    /// Opens a file read-only; throws `WXIOError` if it is missing, not HDF5, or corrupt.
    public init(path: String) throws {
        self.path = path
        fileLength = try InputFileCheck.requireRegularFile(path)
        let id: hid_t = CLibraryLock.with {
            wx_H5_silence_errors()
            return H5Fopen(path, wx_H5F_ACC_RDONLY(), wx_H5P_DEFAULT())
        }
        guard id >= 0 else {
            let head = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: path)).read(upToCount: 8)) ?? nil
            if let h = head, [UInt8](h) == [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a] {
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "H5Fopen failed")
            }
            throw WXIOError.notNetCDFOrHDF5(path: path)
        }
        fid = id
        userBlockBytes = CLibraryLock.with {
            let fcpl = H5Fget_create_plist(id)
            guard fcpl >= 0 else { return -1 }
            defer { H5Pclose(fcpl) }
            var size: hsize_t = 0
            return H5Pget_userblock(fcpl, &size) >= 0 ? Int(clamping: size) : -1
        }
    }

    deinit { close() }

    /// Closes the file (also done when the object is released).
    public func close() {
        guard !closed else { return }
        closed = true
        _ = CLibraryLock.with { H5Fclose(fid) }
    }

    private func normalise(_ p: String) -> String {
        var s = p.hasPrefix("/") ? p : "/" + p
        while s.count > 1 && s.hasSuffix("/") { s.removeLast() }
        return s
    }

    /// Object type at a path: group, dataset or nil.
    private func objectType(_ p: String) -> H5I_type_t? {
        CLibraryLock.with {
            guard p == "/" || H5Lexists(fid, p, wx_H5P_DEFAULT()) > 0 else { return nil }
            let oid = H5Oopen(fid, p, wx_H5P_DEFAULT())
            guard oid >= 0 else { return nil }
            defer { H5Oclose(oid) }
            return H5Iget_type(oid)
        }
    }

    /// The error for a group that cannot be opened: a root group that cannot be opened means a corrupt file.
    private func missingGroup(_ group: String) -> WXIOError {
        normalise(group) == "/" ? .truncatedOrCorrupt(path: path, detail: "the root group cannot be opened")
            : .groupNotFound(path: path, group: group)
    }

    /// Names of the links directly in a group.
    private func children(_ group: String) throws -> [String] {
        try CLibraryLock.with {
            let gid = H5Gopen2(fid, group, wx_H5P_DEFAULT())
            guard gid >= 0 else { throw missingGroup(group) }
            defer { H5Gclose(gid) }
            var info = H5G_info_t()
            guard H5Gget_info(gid, &info) >= 0 else {
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "the links of group \(group) cannot be listed")
            }
            // A link takes bytes in the file: a count beyond the file length is a corrupt header, not a big group.
            guard info.nlinks <= UInt64(max(fileLength, 0)) else {
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "group \(group) claims \(info.nlinks) links")
            }
            var names: [String] = []
            for i in 0..<info.nlinks {
                let n = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, wx_H5P_DEFAULT())
                guard n >= 0, n <= fileLength else { continue }
                var buf = [CChar](repeating: 0, count: Int(n) + 1)
                _ = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buf, Int(n) + 1, wx_H5P_DEFAULT())
                names.append(String(cString: buf))
            }
            return names
        }
    }

    private func join(_ g: String, _ n: String) -> String { g == "/" ? "/" + n : g + "/" + n }

    /// Deepest group nesting walked; deeper trees are taken as corrupt (real files nest a handful of levels).
    public static let maxGroupDepth = 64

    /// The file address of the object at a path, nil when it cannot be opened.
    private func objectAddress(_ p: String) -> Int64? {
        CLibraryLock.with {
            let oid = H5Oopen(fid, p, wx_H5P_DEFAULT())
            guard oid >= 0 else { return nil }
            defer { H5Oclose(oid) }
            let a = wx_H5_object_address(oid)
            return a < 0 ? nil : Int64(a)
        }
    }

    /// Paths of all groups, "/" first, depth-first. The walk uses its own stack and visits each group object once,
    /// so a hard link back to an ancestor (valid HDF5) or a corrupt link table cannot make it loop or overflow.
    public func groupPaths() throws -> [String] {
        guard let root = objectAddress("/") else { throw missingGroup("/") }
        var visited: Set<Int64> = [root]
        var out: [String] = []
        var stack: [(path: String, depth: Int)] = [("/", 0)]
        while let (g, depth) = stack.popLast() {
            out.append(g)
            var subgroups: [String] = []
            for c in try children(g) where objectType(join(g, c)) == H5I_GROUP {
                let p = join(g, c)
                guard let a = objectAddress(p), visited.insert(a).inserted else { continue }
                guard depth + 1 <= HDF5File.maxGroupDepth else {
                    throw WXIOError.truncatedOrCorrupt(path: path, detail: "groups nest deeper than \(HDF5File.maxGroupDepth) levels at \(p)")
                }
                subgroups.append(p)
            }
            stack += subgroups.reversed().map { ($0, depth + 1) }
        }
        return out
    }

    /// Dimensions defined in a group.
    public func dimensions(inGroup group: String) throws -> [DimensionInfo] {
        var seen: [String: DimensionInfo] = [:]
        var order: [String] = []
        for v in try variables(inGroup: group) {
            for d in v.dimensions where seen[d.name] == nil { seen[d.name] = d; order.append(d.name) }
        }
        return order.compactMap { seen[$0] }
    }

    /// Variables (datasets) directly in a group.
    public func variables(inGroup group: String) throws -> [VariableInfo] {
        let g = normalise(group)
        guard objectType(g) == H5I_GROUP else { throw missingGroup(group) }
        return try children(g).filter { objectType(join(g, $0)) == H5I_DATASET }.map { try variable(join(g, $0)) }
    }

    /// Attributes of a group ("/" = global attributes).
    public func attributes(ofGroup group: String) throws -> Attributes {
        let g = normalise(group)
        guard objectType(g) == H5I_GROUP else { throw missingGroup(group) }
        return try CLibraryLock.with {
            let oid = H5Oopen(fid, g, wx_H5P_DEFAULT())
            guard oid >= 0 else { throw missingGroup(group) }
            defer { H5Oclose(oid) }
            return readAttributes(oid)
        }
    }

    /// The variable at a path ("t2m", "/t2m", "/forecast/RMM1").
    public func variable(_ variablePath: String) throws -> VariableInfo {
        let p = normalise(variablePath)
        guard objectType(p) == H5I_DATASET else { throw WXIOError.variableNotFound(path: path, variable: variablePath) }
        return try CLibraryLock.with {
            let did = H5Dopen2(fid, p, wx_H5P_DEFAULT())
            guard did >= 0 else { throw WXIOError.variableNotFound(path: path, variable: variablePath) }
            defer { H5Dclose(did) }
            let tid = H5Dget_type(did)
            defer { H5Tclose(tid) }
            let type = HDF5File.dataType(tid)
            let sid = H5Dget_space(did)
            defer { H5Sclose(sid) }
            let rank = Int(max(0, H5Sget_simple_extent_ndims(sid)))
            var dims = [hsize_t](repeating: 0, count: max(rank, 1))
            _ = H5Sget_simple_extent_dims(sid, &dims, nil)
            guard dims.allSatisfy({ $0 <= hsize_t(Int.max) }) else {
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "dataset \(p) has a dimension of length \(dims.max() ?? 0)")
            }
            let attrs = readAttributes(did)
            var names = (0..<rank).map { "phony_dim_\($0)" }
            if let d = attrs["dimensions"]?.stringValue {
                let parts = d.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
                if parts.count == rank { names = parts }
            }
            let slash = p.lastIndex(of: "/")!
            let group = p[..<slash].isEmpty ? "/" : String(p[..<slash])
            var info = VariableInfo(path: p, name: String(p[p.index(after: slash)...]), groupPath: group, dataType: type,
                                    dimensions: (0..<rank).map { DimensionInfo(name: names[$0], size: Int(dims[$0])) },
                                    attributes: attrs)
            let plist = H5Dget_create_plist(did)
            if plist >= 0 {
                defer { H5Pclose(plist) }
                if H5Pget_layout(plist) == H5D_CHUNKED && rank > 0 {
                    var chunk = [hsize_t](repeating: 0, count: rank)
                    if H5Pget_chunk(plist, Int32(rank), &chunk) >= 0 { info.chunkShape = chunk.map { Int($0) } }
                }
                let nf = H5Pget_nfilters(plist)
                for i in 0..<max(0, nf) {
                    var flags: UInt32 = 0
                    var nelmts = 4
                    var cd = [UInt32](repeating: 0, count: 4)
                    var fconfig: UInt32 = 0
                    let f = H5Pget_filter2(plist, UInt32(i), &flags, &nelmts, &cd, 0, nil, &fconfig)
                    if f == 1 { info.deflateLevel = nelmts > 0 ? Int(cd[0]) : 0 } // H5Z_FILTER_DEFLATE
                    if f == 2 { info.shuffle = true } // H5Z_FILTER_SHUFFLE
                }
            }
            return info
        }
    }

    static func dataType(_ tid: hid_t) -> GriddedDataType {
        let size = H5Tget_size(tid)
        switch H5Tget_class(tid) {
        case H5T_INTEGER:
            let signed = H5Tget_sign(tid) == H5T_SGN_2
            switch size {
            case 1: return signed ? .int8 : .uint8
            case 2: return signed ? .int16 : .uint16
            case 4: return signed ? .int32 : .uint32
            case 8: return signed ? .int64 : .uint64
            default: return .unknown
            }
        case H5T_FLOAT: return size == 4 ? .float32 : size == 8 ? .float64 : .unknown
        case H5T_STRING: return .string
        case H5T_COMPOUND: return .compound
        case H5T_VLEN: return .vlen
        case H5T_ENUM: return .enumeration
        case H5T_OPAQUE: return .opaque
        default: return .unknown
        }
    }

    static func nativeType(_ t: GriddedDataType) -> hid_t? {
        switch t {
        case .int8: return wx_H5T_NATIVE_INT8()
        case .uint8: return wx_H5T_NATIVE_UINT8()
        case .int16: return wx_H5T_NATIVE_INT16()
        case .uint16: return wx_H5T_NATIVE_UINT16()
        case .int32: return wx_H5T_NATIVE_INT32()
        case .uint32: return wx_H5T_NATIVE_UINT32()
        case .int64: return wx_H5T_NATIVE_INT64()
        case .uint64: return wx_H5T_NATIVE_UINT64()
        case .float32: return wx_H5T_NATIVE_FLOAT()
        case .float64: return wx_H5T_NATIVE_DOUBLE()
        default: return nil
        }
    }

    /// Numeric and text attributes of an object (others, e.g. references, are skipped). Call under the lock.
    private func readAttributes(_ oid: hid_t) -> Attributes {
        var out: Attributes = [:]
        var i: hsize_t = 0
        while true {
            let aid = H5Aopen_by_idx(oid, ".", H5_INDEX_NAME, H5_ITER_INC, i, wx_H5P_DEFAULT(), wx_H5P_DEFAULT())
            if aid < 0 { break }
            defer { H5Aclose(aid) }
            i += 1
            let n = H5Aget_name(aid, 0, nil)
            guard n >= 0, n <= fileLength else { continue }
            var nameBuf = [CChar](repeating: 0, count: Int(n) + 1)
            _ = H5Aget_name(aid, Int(n) + 1, &nameBuf)
            let name = String(cString: nameBuf)
            if let v = readAttribute(aid) { out[name] = v }
        }
        return out
    }

    private func readAttribute(_ aid: hid_t) -> AttributeValue? {
        let tid = H5Aget_type(aid)
        defer { H5Tclose(tid) }
        let sid = H5Aget_space(aid)
        defer { H5Sclose(sid) }
        let npoints = Int(H5Sget_simple_extent_npoints(sid))
        guard npoints >= 0 else { return nil }
        switch H5Tget_class(tid) {
        case H5T_STRING:
            if H5Tis_variable_str(tid) > 0 {
                let mem = H5Tcopy(wx_H5T_C_S1())
                defer { H5Tclose(mem) }
                H5Tset_size(mem, wx_H5T_VARIABLE())
                H5Tset_cset(mem, H5Tget_cset(tid))
                var ptrs = [UnsafeMutablePointer<CChar>?](repeating: nil, count: max(npoints, 1))
                guard H5Aread(aid, mem, &ptrs) >= 0 else { return nil }
                let strings = ptrs.prefix(npoints).map { $0.map { String(cString: $0) } ?? "" }
                for p in ptrs.prefix(npoints) where p != nil { H5free_memory(p) }
                return strings.count == 1 ? .string(strings[0]) : .strings(strings)
            }
            let size = H5Tget_size(tid)
            var buf = [UInt8](repeating: 0, count: max(1, size * npoints))
            guard H5Aread(aid, tid, &buf) >= 0 else { return nil }
            let strings = (0..<npoints).map { k in
                String(decoding: buf[(k * size)..<((k + 1) * size)].prefix { $0 != 0 }, as: UTF8.self)
            }
            return strings.count == 1 ? .string(strings[0]) : .strings(strings)
        case H5T_INTEGER:
            var vals = [Int64](repeating: 0, count: max(npoints, 1))
            guard H5Aread(aid, wx_H5T_NATIVE_INT64(), &vals) >= 0 else { return nil }
            return .integers(Array(vals.prefix(npoints)))
        case H5T_FLOAT:
            var vals = [Double](repeating: 0, count: max(npoints, 1))
            guard H5Aread(aid, wx_H5T_NATIVE_DOUBLE(), &vals) >= 0 else { return nil }
            return .doubles(Array(vals.prefix(npoints)))
        default:
            return nil
        }
    }

    /// The coordinate variable of a dimension of `v`, if any.
    public func coordinateVariable(forDimension index: Int, of v: VariableInfo) throws -> VariableInfo? {
        guard index >= 0 && index < v.dimensions.count else { return nil }
        let d = v.dimensions[index]
        guard !d.name.hasPrefix("phony_dim_") else { return nil }
        func fits(_ p: String) -> VariableInfo? {
            guard p != v.path, objectType(p) == H5I_DATASET, let c = try? variable(p),
                  c.dimensions.count == 1, c.dimensions[0].size == d.size, c.dataType.isNumeric else { return nil }
            return c
        }
        var g = v.groupPath
        while true {
            if let c = fits(join(g, d.name)) { return c }
            if g == "/" { break }
            let s = g.lastIndex(of: "/")!
            g = g[..<s].isEmpty ? "/" : String(g[..<s])
        }
        if datasetIndex == nil {
            var index: [String: [String]] = [:]
            for gp in try groupPaths() {
                for c in try children(gp) where objectType(join(gp, c)) == H5I_DATASET { index[c, default: []].append(join(gp, c)) }
            }
            datasetIndex = index
        }
        for p in datasetIndex?[d.name] ?? [] { if let c = fits(p) { return c } }
        return nil
    }

    /// The CF decoding rules of a variable.
    public func decoding(for v: VariableInfo) throws -> CFDecoding {
        var float32: Set<String> = []
        CLibraryLock.with {
            let did = H5Dopen2(fid, v.path, wx_H5P_DEFAULT())
            guard did >= 0 else { return }
            defer { H5Dclose(did) }
            for name in ["scale_factor", "add_offset"] where v.attributes[name] != nil {
                let aid = H5Aopen(did, name, wx_H5P_DEFAULT())
                guard aid >= 0 else { continue }
                let tid = H5Aget_type(aid)
                if H5Tget_class(tid) == H5T_FLOAT && H5Tget_size(tid) == 4 { float32.insert(name) }
                H5Tclose(tid)
                H5Aclose(aid)
            }
        }
        return CFDecoding(dataType: v.dataType, attributes: v.attributes, netCDFDefaultFill: false, float32Attributes: float32)
    }

    /// Reads stored values of a validated hyperslab into `buffer`.
    public func readStored(_ v: VariableInfo, _ slab: Hyperslab, into buffer: UnsafeMutableRawPointer) throws {
        let dec = try decoding(for: v)
        guard let mem = HDF5File.nativeType(dec.storedType) else {
            throw WXIOError.unsupportedType(path: path, variable: v.path, type: v.dataType.rawValue)
        }
        if slab.elementCount == 0 { return }
        try CLibraryLock.with {
            let did = H5Dopen2(fid, v.path, wx_H5P_DEFAULT())
            guard did >= 0 else { throw WXIOError.variableNotFound(path: path, variable: v.path) }
            defer { H5Dclose(did) }
            var status: herr_t
            if v.dimensions.isEmpty {
                status = H5Dread(did, mem, wx_H5S_ALL(), wx_H5S_ALL(), wx_H5P_DEFAULT(), buffer)
            } else {
                let fs = H5Dget_space(did)
                defer { H5Sclose(fs) }
                let start = slab.start.map { hsize_t($0) }, count = slab.count.map { hsize_t($0) }
                let stride = slab.stride.map { hsize_t($0) }
                _ = H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, stride, count, nil)
                let ms = H5Screate_simple(Int32(count.count), count, nil)
                defer { H5Sclose(ms) }
                status = H5Dread(did, mem, ms, fs, wx_H5P_DEFAULT(), buffer)
            }
            guard status >= 0 else {
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "H5Dread of \(v.path) failed")
            }
        }
    }
}

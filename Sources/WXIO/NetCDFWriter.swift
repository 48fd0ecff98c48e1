import Foundation
import CNetCDF
import WXCore

/// A netCDF-4 file being written: dimensions, numeric and string variables, attributes, compression and chunking,
/// whole or hyperslab writes.
///
/// The file is created as `.NAME.tmp-<pid>-<random>` in the target directory and renamed to its final
/// name only by `finish()`. If any call throws, or the writer is released or `discard()`ed before
/// `finish()`, the temporary file is removed: no half-written file ever appears under the final name.
/// Every call into libnetcdf goes through `CLibraryLock`. One writer is used from one thread at a time.
/// After `defineGroup("GROUP")`, a variable named `GROUP/NAME` is defined in that group (over the root's dimensions).
public final class NetCDFWriter {
    /// The final path of the file.
    public let path: String
    /// Where the file lives until `finish()` renames it.
    public let temporaryPath: String

    private enum State { case open, finished, discarded }
    private struct Variable {
        /// The id of the group the variable lives in (the file's id for the root).
        let group: Int32
        let id: Int32
        /// nil for a string (NC_STRING) or character-label (NC_CHAR) variable.
        let type: DataType?
        let dimensions: [String]
        let shape: [Int]
        /// True for a character-label variable: `shape`'s last entry is the label width in bytes.
        var isChar = false
    }

    private var ncid: Int32 = -1
    private var state = State.open
    private var dimensions: [String: (id: Int32, size: Int)] = [:]
    private var variables: [String: Variable] = [:]
    private var groups: [String: Int32] = [:]

    /// Creates the temporary file for `path` (netCDF-4 format); `overwrite: false` refuses an existing file.
    public init(path: String, overwrite: Bool = true) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CFWriterError.directoryMissing(path: path, directory: directory)
        }
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw CFWriterError.fileExists(path: path)
        }
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(random)").path
        var id: Int32 = -1
        let tmp = temporaryPath
        let rc = CLibraryLock.with { nc_create(tmp, NC_NETCDF4 | NC_NOCLOBBER, &id) }
        guard rc == NC_NOERR else {
            unlink(tmp)
            state = .discarded
            throw CFWriterError.netCDF(path: path, variable: nil, operation: "nc_create(\(tmp))",
                                       code: rc, message: NetCDFWriter.message(rc))
        }
        ncid = id
    }

    deinit { discard() }

    /// True until `finish()` succeeds or the writer is discarded (after an error, or by `discard()`).
    public var isOpen: Bool { state == .open }

    /// The shape of a defined variable, outermost first.
    public func shape(of variable: String) -> [Int]? { variables[variable]?.shape }

    /// The type of a defined numeric variable (nil for a string variable or an unknown name).
    public func type(of variable: String) -> DataType? { variables[variable]?.type }

    /// True when `variable` is a defined string (NC_STRING) variable.
    public func isStringVariable(_ variable: String) -> Bool { variables[variable].map { $0.type == nil && !$0.isChar } ?? false }

    /// Defines a fixed-size dimension.
    public func defineDimension(_ name: String, size: Int) throws {
        try guarded {
            guard dimensions[name] == nil else { throw CFWriterError.duplicateName(path: path, name: name) }
            guard size > 0 else {
                throw CFWriterError.invalidDefinition(path: path, variable: nil, reason: "dimension \(name) has size \(size), needs at least 1")
            }
            var id: Int32 = -1
            try check(CLibraryLock.with { nc_def_dim(ncid, name, size, &id) }, nil, "nc_def_dim(\(name))")
            dimensions[name] = (id, size)
        }
    }

    /// Defines a group of the root, for variables named `NAME/...`.
    public func defineGroup(_ name: String) throws {
        try guarded {
            guard groups[name] == nil else { throw CFWriterError.duplicateName(path: path, name: name) }
            var child: Int32 = -1
            let root = ncid
            try check(CLibraryLock.with { nc_def_grp(root, name, &child) }, nil, "nc_def_grp(\(name))")
            groups[name] = child
        }
    }

    /// Defines a variable over named dimensions, with attributes, an optional `_FillValue`, compression and chunk sizes.
    public func defineVariable(_ name: String, type: DataType, dimensions dims: [String], attributes: Attributes = [:],
                               fillValue: Double? = nil, compression: Compression? = nil, chunkSizes: [Int]? = nil) throws {
        try guarded {
            let (id, shape) = try defineVariableID(name, ncType: type.ncType, type: type, dimensions: dims)
            let gid = variables[name]!.group
            if let chunks = chunkSizes {
                guard chunks.count == shape.count, zip(chunks, shape).allSatisfy({ $0 >= 1 && $0 <= $1 }) else {
                    throw CFWriterError.invalidDefinition(path: path, variable: name,
                                                          reason: "chunk sizes \(chunks) do not fit shape \(shape)")
                }
                try check(CLibraryLock.with { nc_def_var_chunking(gid, id, NC_CHUNKED, chunks) }, name, "nc_def_var_chunking")
            }
            if let c = compression {
                guard (1...9).contains(c.level) else {
                    throw CFWriterError.invalidDefinition(path: path, variable: name, reason: "zlib level \(c.level) is outside 1...9")
                }
                try check(CLibraryLock.with { nc_def_var_deflate(gid, id, c.shuffle ? 1 : 0, 1, Int32(c.level)) },
                          name, "nc_def_var_deflate")
            }
            if let fill = fillValue { try defineFill(name, group: gid, id: id, type: type, fill) }
            for key in attributes.keys.sorted() {
                try putAttribute(key, attributes[key]!, variable: name, type: nil)
            }
        }
    }

    /// Defines a string (NC_STRING, variable-length) variable over named dimensions, e.g. a coordinate of labels.
    public func defineStringVariable(_ name: String, dimensions dims: [String], attributes: Attributes = [:]) throws {
        try guarded {
            _ = try defineVariableID(name, ncType: nc_type(NC_STRING), type: nil, dimensions: dims)
            for (key, value) in attributes.sorted(by: { $0.key < $1.key }) {
                try putAttribute(key, value, variable: name, type: nil)
            }
        }
    }

    /// Defines a character-label variable: NC_CHAR over `dimensions` plus `widthDimension` (the label width in bytes),
    /// with `_Encoding = "utf-8"`.
    ///
    /// Classic netCDF's string layout (CF 2.2): xarray decodes it to str labels and indexes a label coordinate
    /// named like its dimension, while CF checkers, which fail on NC_STRING coordinate variables, accept it.
    public func defineCharVariable(_ name: String, dimensions dims: [String], widthDimension: String, attributes: Attributes = [:]) throws {
        try guarded {
            _ = try defineVariableID(name, ncType: nc_type(NC_CHAR), type: nil, dimensions: dims + [widthDimension])
            variables[name]!.isChar = true
            try putAttribute("_Encoding", .string("utf-8"), variable: name, type: nil)
            for (key, value) in attributes.sorted(by: { $0.key < $1.key }) where key != "_Encoding" {
                try putAttribute(key, value, variable: name, type: nil)
            }
        }
    }

    /// Sets an attribute on a variable, or globally when `variable` is nil; `type` picks the stored numeric type
    /// (default: int32 or int64 for integers, double for reals; `_FillValue` always takes the variable's type).
    public func setAttribute(_ name: String, _ value: AttributeValue, on variable: String? = nil, type: DataType? = nil) throws {
        try guarded { try putAttribute(name, value, variable: variable, type: type) }
    }

    /// Writes `values` (row-major) into `variable`, the whole variable or the hyperslab `start`/`count`.
    public func write<T: NetCDFWritableValue>(_ variable: String, values: UnsafeBufferPointer<T>,
                                              start: [Int]? = nil, count: [Int]? = nil) throws {
        try guarded {
            if let v = variables[variable], v.type == nil {
                throw CFWriterError.invalidDefinition(path: path, variable: variable,
                                                      reason: v.isChar ? "is a character-label variable: write it with write(_:labels:)"
                                                                       : "is a string variable: write it with write(_:strings:)")
            }
            let (v, s, c) = try hyperslab(variable, start: start, count: count, values: values.count)
            guard values.count > 0, let base = values.baseAddress else { return }
            let raw = UnsafeRawPointer(base)
            let id = v.id, ncid = v.group
            let rc: Int32 = CLibraryLock.with {
                switch T.netCDFType {
                case .float: return nc_put_vara_float(ncid, id, s, c, raw.assumingMemoryBound(to: Float.self))
                case .double: return nc_put_vara_double(ncid, id, s, c, raw.assumingMemoryBound(to: Double.self))
                case .int16: return nc_put_vara_short(ncid, id, s, c, raw.assumingMemoryBound(to: Int16.self))
                case .int32: return nc_put_vara_int(ncid, id, s, c, raw.assumingMemoryBound(to: Int32.self))
                case .int64: return nc_put_vara_longlong(ncid, id, s, c, raw.assumingMemoryBound(to: Int64.self))
                }
            }
            try check(rc, variable, "nc_put_vara start \(s) count \(c)")
        }
    }

    /// Writes an array (row-major) into `variable`, the whole variable or the hyperslab `start`/`count`.
    public func write<T: NetCDFWritableValue>(_ variable: String, values: [T], start: [Int]? = nil, count: [Int]? = nil) throws {
        try values.withUnsafeBufferPointer { try write(variable, values: $0, start: start, count: count) }
    }

    /// Writes strings (row-major) into a string variable, the whole variable or the hyperslab `start`/`count`.
    public func write(_ variable: String, strings: [String], start: [Int]? = nil, count: [Int]? = nil) throws {
        try guarded {
            if let v = variables[variable], v.type != nil || v.isChar {
                throw CFWriterError.invalidDefinition(path: path, variable: variable, reason: "is a \(v.isChar ? "character-label" : "numeric") variable, not a string variable")
            }
            let (v, s, c) = try hyperslab(variable, start: start, count: count, values: strings.count)
            guard !strings.isEmpty else { return }
            let owned = strings.map { strdup($0) }
            defer { owned.forEach { free($0) } }
            var pointers: [UnsafePointer<CChar>?] = owned.map { $0.map { UnsafePointer($0) } }
            let id = v.id, ncid = v.group
            try check(CLibraryLock.with { nc_put_vara_string(ncid, id, s, c, &pointers) }, variable, "nc_put_vara_string start \(s) count \(c)")
        }
    }

    /// Writes the whole of a character-label variable: one label per element of its leading dimensions (row-major),
    /// each UTF-8 encoded and NUL-padded to the width; a label longer than the width is an error naming it.
    public func write(_ variable: String, labels: [String]) throws {
        try guarded {
            guard let v = variables[variable] else { throw CFWriterError.unknownName(path: path, name: "variable \(variable)") }
            guard v.isChar else {
                throw CFWriterError.invalidDefinition(path: path, variable: variable, reason: "is not a character-label variable")
            }
            let width = v.shape.last!
            guard labels.count * width == v.shape.reduce(1, *) else {
                throw CFWriterError.sizeMismatch(path: path, variable: variable, expected: v.shape.dropLast().reduce(1, *), got: labels.count)
            }
            var bytes = [CChar](repeating: 0, count: labels.count * width)
            for (i, label) in labels.enumerated() {
                let utf8 = Array(label.utf8)
                guard utf8.count <= width else {
                    throw CFWriterError.invalidDefinition(path: path, variable: variable,
                                                          reason: "label '\(label)' has \(utf8.count) bytes, more than the width \(width)")
                }
                for (j, b) in utf8.enumerated() { bytes[i * width + j] = CChar(bitPattern: b) }
            }
            guard !bytes.isEmpty else { return }
            let id = v.id, ncid = v.group
            let start = [Int](repeating: 0, count: v.shape.count), count = v.shape
            try check(CLibraryLock.with { nc_put_vara_text(ncid, id, start, count, bytes) }, variable, "nc_put_vara_text")
        }
    }

    /// Closes the file and renames it to its final path (replacing any file there).
    public func finish() throws {
        guard state == .open else { throw CFWriterError.writerClosed(path: path) }
        let id = ncid
        let rc = CLibraryLock.with { nc_close(id) }
        state = .discarded
        guard rc == NC_NOERR else {
            unlink(temporaryPath)
            throw CFWriterError.netCDF(path: path, variable: nil, operation: "nc_close", code: rc, message: NetCDFWriter.message(rc))
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw CFWriterError.renameFailed(path: path, temporaryPath: temporaryPath, reason: reason)
        }
        state = .finished
    }

    /// Abandons the file: closes it and removes the temporary file (nothing appears under the final name).
    public func discard() {
        guard state == .open else { return }
        let id = ncid
        _ = CLibraryLock.with { nc_abort(id) }
        unlink(temporaryPath)
        state = .discarded
    }

    // MARK: - internals

    /// Runs `body` on an open writer; any error discards the file before it is rethrown.
    private func guarded<R>(_ body: () throws -> R) throws -> R {
        guard state == .open else { throw CFWriterError.writerClosed(path: path) }
        do {
            return try body()
        } catch {
            discard()
            throw error
        }
    }

    /// Defines a variable (numeric when `type` is set, string otherwise) and records it; returns its id and shape.
    private func defineVariableID(_ name: String, ncType: nc_type, type: DataType?, dimensions dims: [String]) throws -> (Int32, [Int]) {
        guard variables[name] == nil else { throw CFWriterError.duplicateName(path: path, name: name) }
        var ids: [Int32] = []
        var shape: [Int] = []
        for d in dims {
            guard let dim = dimensions[d] else { throw CFWriterError.unknownName(path: path, name: "dimension \(d) (used by \(name))") }
            ids.append(dim.id)
            shape.append(dim.size)
        }
        let (gid, leaf) = groupID(of: name)
        var id: Int32 = -1
        try check(CLibraryLock.with { nc_def_var(gid, leaf, ncType, Int32(ids.count), ids, &id) }, name, "nc_def_var")
        variables[name] = Variable(group: gid, id: id, type: type, dimensions: dims, shape: shape)
        return (id, shape)
    }

    /// The group id and leaf name of `GROUP/NAME` when GROUP was defined by `defineGroup`, else the root and `name`.
    private func groupID(of name: String) -> (Int32, String) {
        guard let slash = name.lastIndex(of: "/"), let gid = groups[String(name[..<slash])] else { return (ncid, name) }
        return (gid, String(name[name.index(after: slash)...]))
    }

    /// The variable and the checked hyperslab (default: the whole variable) for `values` elements.
    private func hyperslab(_ variable: String, start: [Int]?, count: [Int]?, values: Int) throws -> (Variable, [Int], [Int]) {
        guard let v = variables[variable] else { throw CFWriterError.unknownName(path: path, name: "variable \(variable)") }
        let s = start ?? Array(repeating: 0, count: v.shape.count)
        let c = count ?? (s.count == v.shape.count ? zip(v.shape, s).map { $0 - $1 } : v.shape)
        guard s.count == v.shape.count, c.count == v.shape.count,
              zip(zip(s, c), v.shape).allSatisfy({ $0.0 >= 0 && $0.1 >= 0 && $0.0 + $0.1 <= $1 }) else {
            throw CFWriterError.hyperslabOutOfBounds(path: path, variable: variable, start: s, count: c, shape: v.shape)
        }
        let n = c.reduce(1, *)
        guard n == values else {
            throw CFWriterError.sizeMismatch(path: path, variable: variable, expected: n, got: values)
        }
        return (v, s, c)
    }

    private func check(_ rc: Int32, _ variable: String?, _ operation: String) throws {
        guard rc == NC_NOERR else {
            throw CFWriterError.netCDF(path: path, variable: variable, operation: operation, code: rc, message: NetCDFWriter.message(rc))
        }
    }

    private static func message(_ rc: Int32) -> String {
        CLibraryLock.with { String(cString: nc_strerror(rc)) }
    }

    private func defineFill(_ name: String, group ncid: Int32, id: Int32, type: DataType, _ fill: Double) throws {
        func exact<I: FixedWidthInteger>(_: I.Type) throws -> I {
            guard let i = I(exactly: fill) else {
                throw CFWriterError.invalidDefinition(path: path, variable: name, reason: "_FillValue \(fill) is not a \(type.rawValue)")
            }
            return i
        }
        let rc: Int32
        switch type {
        case .float: var f = Float(fill); rc = CLibraryLock.with { nc_def_var_fill(ncid, id, 0, &f) }
        case .double: var f = fill; rc = CLibraryLock.with { nc_def_var_fill(ncid, id, 0, &f) }
        case .int16: var f = try exact(Int16.self); rc = CLibraryLock.with { nc_def_var_fill(ncid, id, 0, &f) }
        case .int32: var f = try exact(Int32.self); rc = CLibraryLock.with { nc_def_var_fill(ncid, id, 0, &f) }
        case .int64: var f = try exact(Int64.self); rc = CLibraryLock.with { nc_def_var_fill(ncid, id, 0, &f) }
        }
        try check(rc, name, "nc_def_var_fill")
    }

    private func putAttribute(_ name: String, _ value: AttributeValue, variable: String?, type: DataType?) throws {
        var varid = NC_GLOBAL, ncid = self.ncid
        if let v = variable {
            guard let info = variables[v] else { throw CFWriterError.unknownName(path: path, name: "variable \(v)") }
            varid = info.id
            ncid = info.group
            if name == "_FillValue" {
                guard let fill = value.doubleValue, value.doubleValues?.count == 1 else {
                    throw CFWriterError.invalidDefinition(path: path, variable: v, reason: "_FillValue must be one number, got \(value)")
                }
                guard let type = info.type else {
                    throw CFWriterError.invalidDefinition(path: path, variable: v, reason: "a string variable takes no _FillValue")
                }
                return try defineFill(v, group: info.group, id: info.id, type: type, fill)
            }
        }
        let where_ = variable ?? "global"
        let rc: Int32
        switch value {
        case .string(let s):
            rc = CLibraryLock.with { nc_put_att_text(ncid, varid, name, s.utf8.count, s) }
        case .strings(let list):
            let owned = list.map { strdup($0) }
            defer { owned.forEach { free($0) } }
            var pointers = owned.map { UnsafePointer($0) }
            rc = CLibraryLock.with { nc_put_att_string(ncid, varid, name, pointers.count, &pointers) }
        case .integers(let list):
            let fits32 = list.allSatisfy { Int32(exactly: $0) != nil }
            let t = type ?? (fits32 ? .int32 : .int64)
            rc = CLibraryLock.with { nc_put_att_longlong(ncid, varid, name, t.ncType, list.count, list) }
        case .doubles(let list):
            let t = type ?? .double
            rc = CLibraryLock.with { nc_put_att_double(ncid, varid, name, t.ncType, list.count, list) }
        }
        try check(rc, variable, "nc_put_att(\(where_):\(name))")
    }
}

/// Why a gridded file could not be read; every case names the file (and the variable where there is one).
public enum WXIOError: Error, Equatable, CustomStringConvertible {
    /// No file at the path.
    case fileNotFound(path: String)
    /// The file exists but is not NetCDF or HDF5.
    case notNetCDFOrHDF5(path: String)
    /// The file starts like NetCDF/HDF5 but is truncated or corrupt.
    case truncatedOrCorrupt(path: String, detail: String)
    /// No variable (dataset) with that name or path.
    case variableNotFound(path: String, variable: String)
    /// No group with that path.
    case groupNotFound(path: String, group: String)
    /// The requested hyperslab does not fit the variable's shape.
    case hyperslabOutOfBounds(path: String, variable: String, detail: String)
    /// The variable's type cannot be read as numbers (string, compound, vlen, ...).
    case unsupportedType(path: String, variable: String, type: String)
    /// A caller-provided buffer or argument does not fit.
    case invalidArgument(path: String, variable: String, detail: String)
    /// libnetcdf or libhdf5 reported an error.
    case libraryError(path: String, variable: String?, call: String, code: Int, message: String)
    /// The path names something other than a regular file (a directory, a FIFO, a device, a symbolic link loop).
    case notARegularFile(path: String, kind: String)
    /// The file exists but cannot be opened for reading (permissions, an I/O error).
    case unreadable(path: String, reason: String)
    /// A size the file declares would need more memory than the cap allows, or more bytes than the file holds.
    case tooLarge(path: String, variable: String?, detail: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .fileNotFound(let p), .notNetCDFOrHDF5(let p), .truncatedOrCorrupt(let p, _), .variableNotFound(let p, _),
             .groupNotFound(let p, _), .hyperslabOutOfBounds(let p, _, _), .unsupportedType(let p, _, _),
             .invalidArgument(let p, _, _), .libraryError(let p, _, _, _, _), .notARegularFile(let p, _), .unreadable(let p, _),
             .tooLarge(let p, _, _):
            return p
        }
    }

    /// The message without the leading file name, for callers that name the file themselves.
    public var detail: String {
        let d = description
        let prefix = path + ": "
        return d.hasPrefix(prefix) ? String(d.dropFirst(prefix.count)) : d
    }

    public var description: String {
        switch self {
        case .fileNotFound(let p): return "\(p): file not found"
        case .notNetCDFOrHDF5(let p): return "\(p): not a NetCDF or HDF5 file"
        case .truncatedOrCorrupt(let p, let d): return "\(p): truncated or corrupt file (\(d))"
        case .variableNotFound(let p, let v): return "\(p): variable \"\(v)\" not found"
        case .groupNotFound(let p, let g): return "\(p): group \"\(g)\" not found"
        case .hyperslabOutOfBounds(let p, let v, let d): return "\(p): variable \"\(v)\": hyperslab outside the shape (\(d))"
        case .unsupportedType(let p, let v, let t): return "\(p): variable \"\(v)\" has type \(t), which cannot be read as numbers"
        case .invalidArgument(let p, let v, let d): return "\(p): variable \"\(v)\": \(d)"
        case .libraryError(let p, let v, let call, let code, let m):
            return "\(p)\(v.map { ": variable \"\($0)\"" } ?? ""): \(call) failed (\(code)): \(m)"
        case .notARegularFile(let p, let k): return "\(p): not a regular file (\(k))"
        case .unreadable(let p, let r): return "\(p): cannot be read (\(r))"
        case .tooLarge(let p, let v, let d): return "\(p)\(v.map { ": variable \"\($0)\"" } ?? ""): too large to read (\(d))"
        }
    }
}

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
        }
    }
}

/// Why GRIB messages could not be presented as gridded variables; every case names the file.
public enum GRIBError: Error, Equatable, CustomStringConvertible {
    /// A variable's messages are on a grid the readers do not turn into latitude-longitude axes (no hidden regridding).
    case unsupportedGrid(path: String, variable: String, gridType: String)
    /// The messages cannot form one hypercube: `keys` take several values where one is needed, or variables disagree on
    /// a coordinate; `detail` says which values and which `--filter` selects one hypercube.
    case notOneHypercube(path: String, variable: String, keys: [String], detail: String)
    /// A `--filter` entry is not `key=value`, or it selects no message.
    case invalidFilter(path: String, filter: String, detail: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .unsupportedGrid(let p, _, _), .notOneHypercube(let p, _, _, _), .invalidFilter(let p, _, _): return p
        }
    }

    /// The message without the leading file path, for callers that name the file themselves.
    public var detail: String {
        let d = description
        return d.hasPrefix(path + ": ") ? String(d.dropFirst(path.count + 2)) : d
    }

    public var description: String {
        switch self {
        case .unsupportedGrid(let p, let v, let g):
            return "\(p): variable \"\(v)\" is on a \(g) grid, which is listed but not read (only regular_ll and regular_gg are)"
        case .notOneHypercube(let p, let v, let k, let d):
            return "\(p): variable \"\(v)\" does not form one hypercube: conflicting \(k.joined(separator: ", ")) (\(d))"
        case .invalidFilter(let p, let f, let d): return "\(p): filter \"\(f)\": \(d)"
        }
    }
}

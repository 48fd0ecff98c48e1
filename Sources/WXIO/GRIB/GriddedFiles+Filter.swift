/// Opening a gridded file with cfgrib-style message filters.
extension GriddedFiles {
    /// Opens `path` as `open(_:)` does; `filter` entries (`key=value`) select GRIB messages and are refused for other formats.
    public static func open(_ path: String, filter: [String]) throws -> GriddedFile {
        if filter.isEmpty { return try open(path) }
        let f = try GRIBFilter(parsing: filter, path: path)
        try InputFileCheck.requireRegularFile(path)
        guard GRIBFile.startsWithGRIBMagic(path) else {
            throw GRIBError.invalidFilter(path: path, filter: f.description, detail: "filters select GRIB messages; this is not a GRIB file")
        }
        return try GRIBFile(path: path, filter: f)
    }
}

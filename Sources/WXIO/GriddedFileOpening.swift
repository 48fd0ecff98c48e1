import Foundation

/// Opening a gridded file with the reader that fits it.
public enum GriddedFiles {
    /// Opens `path` with `GRIBFile` when it starts with the GRIB indicator, `HDF5File` for `.h5`/`.he5`/`.hdf5`/`.hdf`
    /// files and `NetCDFFile` otherwise (falling back to `HDF5File` when libnetcdf refuses an HDF5 file).
    public static func open(_ path: String) throws -> GriddedFile {
        if GRIBFile.startsWithGRIBMagic(path) { return try GRIBFile(path: path) }
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        if ["h5", "he5", "hdf5", "hdf"].contains(ext) { return try HDF5File(path: path) }
        do {
            return try NetCDFFile(path: path)
        } catch WXIOError.truncatedOrCorrupt(let p, let d) {
            if let h = try? HDF5File(path: path) { return h }
            throw WXIOError.truncatedOrCorrupt(path: p, detail: d)
        }
    }
}

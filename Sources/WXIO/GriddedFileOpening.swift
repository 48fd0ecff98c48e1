import Foundation

/// Opening a gridded file with the reader that fits it.
public enum GriddedFiles {
    /// Opens `path` with the reader its content calls for: `ZarrFile` for a directory holding Zarr metadata (`.zgroup`,
    /// `.zmetadata`, `.zarray`, `zarr.json`), `GRIBFile` for GRIB, `NetCDFFile` for classic/64-bit/CDF-5
    /// files, `HDF5File` for HDF5 files named `.h5`/`.he5`/`.hdf5`/`.hdf` and `NetCDFFile` for other HDF5 files (falling
    /// back to `HDF5File` when libnetcdf refuses one). Anything else but a readable regular file is refused before any
    /// library sees it.
    public static func open(_ path: String) throws -> GriddedFile {
        if ZarrFile.isStore(path) { return try ZarrFile(path: path) }
        try InputFileCheck.requireRegularFile(path)
        if GRIBFile.startsWithGRIBMagic(path) { return try GRIBFile(path: path) }
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        let hdf5Named = ["h5", "he5", "hdf5", "hdf"].contains(ext)
        switch FileSignature.of(path) {
        case .classic: return try NetCDFFile(path: path)
        case .hdf5 where hdf5Named, .other where hdf5Named: return try HDF5File(path: path)
        case .hdf5, .other:
            do {
                return try NetCDFFile(path: path)
            } catch WXIOError.truncatedOrCorrupt(let p, let d) {
                if let h = try? HDF5File(path: path) { return h }
                throw WXIOError.truncatedOrCorrupt(path: p, detail: d)
            }
        }
    }
}

/// What a file's first bytes say it is.
enum FileSignature {
    /// "CDF" then version 1, 2 or 5.
    case classic
    /// The 8-byte HDF5 signature.
    case hdf5
    /// Neither (or too short to tell).
    case other

    /// The signature at the start of the file at `path`.
    static func of(_ path: String) -> FileSignature {
        guard let h = FileHandle(forReadingAtPath: path) else { return .other }
        defer { try? h.close() }
        let b = [UInt8]((try? h.read(upToCount: 8)) ?? Data())
        if b.count >= 4 && b[0] == 0x43 && b[1] == 0x44 && b[2] == 0x46 && [1, 2, 5].contains(b[3]) { return .classic }
        if b == [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a] { return .hdf5 }
        return .other
    }
}

import Foundation
import CNetCDF
import WXIO

/// Adds NC_STRING coordinate variables (e.g. WeatherBench2's `metric` and `region`) to a finished netCDF-4 file,
/// which the generic writer does not define; used before the file is renamed into place.
enum NetCDFStringCoordinates {
    /// Defines and fills one 1-D string variable per entry over its existing dimension.
    static func add(_ coords: [(name: String, values: [String], attributes: [String: String])], toFileAt path: String, finalPath: String) throws {
        try CLibraryLock.with {
            var ncid: Int32 = -1
            func check(_ rc: Int32, _ what: String) throws {
                guard rc == NC_NOERR else {
                    throw VerifyError.cannotWrite(path: finalPath, reason: "\(what): \(String(cString: nc_strerror(rc)))")
                }
            }
            try check(nc_open(path, NC_WRITE, &ncid), "nc_open")
            var closed = false
            defer { if !closed { nc_close(ncid) } }
            try check(nc_redef(ncid), "nc_redef")
            var ids: [Int32] = []
            for c in coords {
                var dim: Int32 = -1
                try check(nc_inq_dimid(ncid, c.name, &dim), "nc_inq_dimid(\(c.name))")
                var vid: Int32 = -1
                try check(nc_def_var(ncid, c.name, nc_type(NC_STRING), 1, [dim], &vid), "nc_def_var(\(c.name))")
                for (k, v) in c.attributes.sorted(by: { $0.key < $1.key }) {
                    try check(nc_put_att_text(ncid, vid, k, v.utf8.count, v), "nc_put_att_text(\(c.name).\(k))")
                }
                ids.append(vid)
            }
            try check(nc_enddef(ncid), "nc_enddef")
            for (c, vid) in zip(coords, ids) {
                var cstrings = c.values.map { strdup($0) }
                defer { cstrings.forEach { free($0) } }
                var ptrs = cstrings.map { UnsafePointer<CChar>($0) }
                try check(nc_put_var_string(ncid, vid, &ptrs), "nc_put_var_string(\(c.name))")
                _ = cstrings.count
            }
            closed = true
            try check(nc_close(ncid), "nc_close")
        }
    }
}

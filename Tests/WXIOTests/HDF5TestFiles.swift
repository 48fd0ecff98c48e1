import CHDF5
import Foundation

/// Small HDF5 files with unusual group structures, written through libhdf5 for a test.
enum HDF5TestFiles {
    /// A file whose group /a/b holds a hard link `up` back to /a (valid HDF5: a cycle in the group graph).
    static func hardLinkCycle(in dir: URL) -> String {
        let p = dir.appendingPathComponent("cycle.h5").path
        let f = H5Fcreate(p, wx_H5F_ACC_TRUNC(), wx_H5P_DEFAULT(), wx_H5P_DEFAULT())
        let a = H5Gcreate2(f, "/a", wx_H5P_DEFAULT(), wx_H5P_DEFAULT(), wx_H5P_DEFAULT())
        let b = H5Gcreate2(f, "/a/b", wx_H5P_DEFAULT(), wx_H5P_DEFAULT(), wx_H5P_DEFAULT())
        H5Lcreate_hard(f, "/a", f, "/a/b/up", wx_H5P_DEFAULT(), wx_H5P_DEFAULT())
        H5Lcreate_hard(f, "/", f, "/a/root", wx_H5P_DEFAULT(), wx_H5P_DEFAULT())
        H5Gclose(b); H5Gclose(a); H5Fclose(f)
        return p
    }

    /// A file with groups nested `depth` levels deep (/g/g/g/...).
    static func deepGroups(depth: Int, in dir: URL) -> String {
        let p = dir.appendingPathComponent("deep.h5").path
        let f = H5Fcreate(p, wx_H5F_ACC_TRUNC(), wx_H5P_DEFAULT(), wx_H5P_DEFAULT())
        var path = ""
        for _ in 0..<depth {
            path += "/g"
            H5Gclose(H5Gcreate2(f, path, wx_H5P_DEFAULT(), wx_H5P_DEFAULT(), wx_H5P_DEFAULT()))
        }
        H5Fclose(f)
        return p
    }
}

import Foundation

/// The check every reader makes at its entry point: the path must name a readable regular file.
///
/// Opening a FIFO blocks for ever and a directory or device is never a NetCDF/HDF5 file, so they are refused
/// from `stat` alone, before libnetcdf or libhdf5 sees the path.
public enum InputFileCheck {
    /// Throws `fileNotFound`, `notARegularFile` or `unreadable` unless `path` is a regular file this process can read;
    /// returns its length in bytes.
    @discardableResult
    public static func requireRegularFile(_ path: String) throws -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let err = errno
            switch err {
            case ELOOP: throw WXIOError.notARegularFile(path: path, kind: "a symbolic link loop")
            case ENOENT, ENOTDIR: throw WXIOError.fileNotFound(path: path)
            default: throw WXIOError.unreadable(path: path, reason: String(cString: strerror(err)))
            }
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw WXIOError.notARegularFile(path: path, kind: "a directory")
        case S_IFIFO: throw WXIOError.notARegularFile(path: path, kind: "a FIFO")
        case S_IFCHR: throw WXIOError.notARegularFile(path: path, kind: "a character device")
        case S_IFBLK: throw WXIOError.notARegularFile(path: path, kind: "a block device")
        case S_IFSOCK: throw WXIOError.notARegularFile(path: path, kind: "a socket")
        default: throw WXIOError.notARegularFile(path: path, kind: "not a file")
        }
        guard access(path, R_OK) == 0 else {
            throw WXIOError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        return Int(st.st_size)
    }
}

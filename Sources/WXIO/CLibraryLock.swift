import Foundation

/// The one lock every call into libnetcdf or libhdf5 goes through.
///
/// netCDF-C is not thread-safe, and Debian's HDF5 serialises on its own global lock anyway,
/// so wxens serialises all calls to both libraries here.
public enum CLibraryLock {
    private static let lock = NSRecursiveLock()

    /// Runs `body` while holding the library lock.
    @inline(__always)
    public static func with<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

import Foundation

/// Writes whole files under a temporary name in the destination directory, then renames, so no reader sees half a file.
public enum AtomicFile {
    /// Writes `data` to `url` via a temporary sibling file and a rename.
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try data.write(to: tmp)
            if rename(tmp.path, url.path) != 0 {
                throw AtomicFileError(path: url.path, reason: "rename failed (errno \(errno))")
            }
        } catch let e as AtomicFileError {
            try? FileManager.default.removeItem(at: tmp)
            throw e
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw AtomicFileError(path: url.path, reason: error.localizedDescription)
        }
    }
}

/// A file could not be written.
public struct AtomicFileError: Error, CustomStringConvertible, Equatable {
    /// The file.
    public var path: String
    /// What went wrong.
    public var reason: String
    /// One readable line.
    public var description: String { "cannot write \(path): \(reason)" }
}

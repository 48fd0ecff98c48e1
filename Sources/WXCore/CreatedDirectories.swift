import Foundation

/// The directories a run created to hold its output (a missing directory and its missing parents), so that a run that
/// fails can remove them again and leave nothing behind.
public struct CreatedDirectories: Sendable {
    /// The directories this run created, deepest first.
    public let urls: [URL]

    /// Creates `directory` with any missing parents; `AtomicFileError` naming the directory when that fails.
    public init(creating directory: URL) throws {
        var missing: [URL] = []
        var ancestor = directory.standardizedFileURL
        while !FileManager.default.fileExists(atPath: ancestor.path) && ancestor.path != "/" {
            missing.append(ancestor)
            ancestor = ancestor.deletingLastPathComponent()
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            CreatedDirectories(urls: missing).removeIfEmpty()
            throw AtomicFileError(path: directory.path, reason: FileErrorReason.of(error))
        }
        urls = missing
    }

    /// Creates the missing directories that are to hold the file at `path`.
    public init(holding path: String) throws {
        try self.init(creating: URL(fileURLWithPath: path).deletingLastPathComponent())
    }

    private init(urls: [URL]) { self.urls = urls }

    /// Runs `body`, which writes the file at `path`, with the missing directories that are to hold it created; if it
    /// throws, they are removed again while empty.
    public static func writing<R>(_ path: String, _ body: () throws -> R) throws -> R {
        let created = try CreatedDirectories(holding: path)
        do { return try body() } catch {
            created.removeIfEmpty()
            throw error
        }
    }

    /// Removes the created directories, deepest first, while they are empty (`rmdir` leaves one that holds anything).
    public func removeIfEmpty() {
        for d in urls where rmdir(d.path) != 0 { break }
    }
}

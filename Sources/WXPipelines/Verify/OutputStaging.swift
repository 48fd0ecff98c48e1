import Foundation

/// A hidden directory inside an output directory that a run writes into, so that nothing appears under a final name
/// unless every output was written: `commit` then moves the files to their final names, `discard` removes them.
///
/// Creating it is also the check that the output directory is writable, done before any work starts.
struct OutputStaging {
    /// The output directory.
    let finalDirectory: URL
    /// The hidden directory written into.
    let directory: URL

    /// Creates `path` (with its parents) and a hidden staging directory in it; `cannotWrite` when either cannot be made.
    init(finalDirectory path: String) throws {
        guard !path.isEmpty else { throw VerifyError.badOption(name: "--out", value: path, reason: "an output directory is needed") }
        finalDirectory = URL(fileURLWithPath: path)
        directory = finalDirectory.appendingPathComponent(".wxens-tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue {
            throw VerifyError.cannotWrite(path: path, reason: "it exists and is not a directory")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw VerifyError.cannotWrite(path: path, reason: OutputStaging.reason(error))
        }
    }

    /// Moves each of `files` (paths relative to the staging directory) to the same path in the final directory,
    /// then removes the staging directory; returns the final paths.
    func commit(_ files: [String]) throws -> [String] {
        defer { discard() }
        var out: [String] = []
        for f in files {
            let from = directory.appendingPathComponent(f), to = finalDirectory.appendingPathComponent(f)
            do {
                try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw VerifyError.cannotWrite(path: to.deletingLastPathComponent().path, reason: OutputStaging.reason(error))
            }
            guard rename(from.path, to.path) == 0 else {
                throw VerifyError.cannotWrite(path: to.path, reason: String(cString: strerror(errno)))
            }
            out.append(to.path)
        }
        return out
    }

    /// Removes the staging directory and whatever was written into it.
    func discard() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The POSIX reason of a Foundation file error ("Permission denied"), else its description.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}

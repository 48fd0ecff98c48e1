import Foundation
import WXCore

/// A hidden directory inside an output directory that a run writes into, so that nothing appears under a final name
/// unless every output was written: `commit` then moves the files to their final names, `discard` removes them.
///
/// Creating it is also the check that the output directory is writable, and empty unless `overwrite`, done before any
/// work starts. With `overwrite`, `commit` first removes what an earlier run wrote (`earlierOutputs`, the whole
/// figures directory included, so no stale figure remains); other files are left alone.
struct OutputStaging {
    /// What a verify run writes into its output directory.
    static let earlierOutputs = ["scores.csv", "scores.nc", "diagnostics.nc", VerificationPartials.fileName, "figures"]
    /// Prefix of the hidden staging directories.
    static let prefix = ".wxens-tmp-"

    /// The output directory.
    let finalDirectory: URL
    /// The hidden directory written into.
    let directory: URL
    /// Whether `commit` replaces an earlier run's outputs.
    let overwrite: Bool
    /// The directories this run created for `finalDirectory` (itself and missing parents, deepest first), removed again
    /// by `discard` while they are empty, so a failed run leaves no empty output directory behind.
    let createdDirectories: CreatedDirectories

    /// Creates `path` (with its parents) and a hidden staging directory in it; `cannotWrite` when either cannot be made,
    /// `badOption` for a directory that holds anything (other than staging directories) unless `overwrite`.
    init(finalDirectory path: String, overwrite: Bool = false) throws {
        guard !path.isEmpty else { throw VerifyError.badOption(name: "--out", value: path, reason: "an output directory is needed") }
        finalDirectory = URL(fileURLWithPath: path)
        self.overwrite = overwrite
        directory = finalDirectory.appendingPathComponent("\(OutputStaging.prefix)\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw VerifyError.cannotWrite(path: path, reason: "it exists and is not a directory") }
            let entries = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(OutputStaging.prefix) }
            if !overwrite && !entries.isEmpty {
                throw VerifyError.badOption(name: "--out", value: path,
                                            reason: "the directory is not empty (\(entries.sorted().prefix(5).joined(separator: ", "))\(entries.count > 5 ? ", ..." : "")); pass --overwrite to replace an earlier run's outputs, or choose an empty directory")
            }
        }
        do {
            createdDirectories = try CreatedDirectories(creating: finalDirectory)
        } catch let e as AtomicFileError {
            throw VerifyError.cannotWrite(path: path, reason: e.reason)
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        } catch {
            createdDirectories.removeIfEmpty()
            throw VerifyError.cannotWrite(path: path, reason: FileErrorReason.of(error))
        }
    }

    /// Moves each of `files` (paths relative to the staging directory) to the same path in the final directory,
    /// then removes the staging directory; returns the final paths.
    func commit(_ files: [String]) throws -> [String] {
        defer { discard() }
        if overwrite {
            for name in OutputStaging.earlierOutputs {
                let url = finalDirectory.appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: url.path) else { continue }
                do { try FileManager.default.removeItem(at: url) } catch {
                    throw VerifyError.cannotWrite(path: url.path, reason: FileErrorReason.of(error))
                }
            }
        }
        var out: [String] = []
        for f in files {
            let from = directory.appendingPathComponent(f), to = finalDirectory.appendingPathComponent(f)
            do {
                try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw VerifyError.cannotWrite(path: to.deletingLastPathComponent().path, reason: FileErrorReason.of(error))
            }
            guard rename(from.path, to.path) == 0 else {
                throw VerifyError.cannotWrite(path: to.path, reason: String(cString: strerror(errno)))
            }
            out.append(to.path)
        }
        return out
    }

    /// Removes the staging directory and whatever was written into it, then the directories this run created if they
    /// are empty (`rmdir` leaves a directory that holds committed outputs).
    func discard() {
        try? FileManager.default.removeItem(at: directory)
        createdDirectories.removeIfEmpty()
    }
}

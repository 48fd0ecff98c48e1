import Foundation
import WXCore

/// The index of a GRIB file's messages kept beside it (`<file>.wxens.idx`), so that opening the file again skips the
/// scan of every message's keys. It is used only when the file's size, modification time and inode, the ecCodes version
/// and the format version are those it was written for, and when it holds every key asked for; otherwise (stale,
/// damaged, unreadable) it is ignored and rewritten. It is written to a temporary name then renamed, and not at all
/// where the file's directory is not writable. `WXENS_GRIB_INDEX=off` (or `0`, `no`, `false`) turns it off.
public enum GRIBIndexCache {
    /// Changes whenever the layout or the meaning of the stored keys changes.
    public static let formatVersion = 1

    /// The first line's leading word.
    private static let magic = "wxens-grib-index"

    /// Where the index of the GRIB file at `path` is kept.
    public static func path(for file: String) -> String { file + ".wxens.idx" }

    /// True unless `WXENS_GRIB_INDEX` in `environment` says off.
    public static func enabled(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let v = environment["WXENS_GRIB_INDEX"]?.lowercased() else { return true }
        return !["off", "0", "no", "false"].contains(v)
    }

    /// What identifies the version of a file the index was made from.
    struct Stamp: Codable, Equatable {
        var size: Int64
        var modifiedSeconds: Int64
        var modifiedNanoseconds: Int64
        var inode: UInt64
        var ecCodes: String

        /// The stamp of the file at `path` now, nil when it cannot be read.
        init?(path: String) {
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            size = Int64(st.st_size)
            modifiedSeconds = Int64(st.st_mtim.tv_sec)
            modifiedNanoseconds = Int64(st.st_mtim.tv_nsec)
            inode = UInt64(st.st_ino)
            ecCodes = GRIBFile.ecCodesVersion
        }
    }

    /// One message as stored.
    private struct Entry: Codable {
        var offset: Int
        var length: Int
        var keys: Attributes
        var text: [String: String]
    }

    /// The whole stored index.
    private struct Contents: Codable {
        var version: Int
        var stamp: Stamp
        var keys: [String]
        var messages: [Entry]
    }

    /// The messages of the file at `path` with `extraKeys` read too, from its index when `enabled` and current (then
    /// `fromIndex` is true), else scanned, and the index rewritten when `enabled`.
    static func messages(path: String, fileIndex: Int, extraKeys: [String], enabled: Bool) throws -> (messages: [GRIBMessage], fromIndex: Bool) {
        let wanted = GRIBMessageScanner.keys + extraKeys.filter { !GRIBMessageScanner.keys.contains($0) }
        guard enabled else { return (try GRIBMessageScanner.scan(path: path, fileIndex: fileIndex, extraKeys: extraKeys), false) }
        if let cached = load(file: path, fileIndex: fileIndex, wanted: wanted) { return (cached, true) }
        let stamp = Stamp(path: path)
        let scanned = try GRIBMessageScanner.scan(path: path, fileIndex: fileIndex, extraKeys: extraKeys)
        if let stamp { store(scanned, keys: wanted, file: path, stamp: stamp) }
        return (scanned, false)
    }

    /// The messages of `file` from its index, when the index is current and holds every key of `wanted`; nil otherwise.
    static func load(file: String, fileIndex: Int, wanted: [String]) -> [GRIBMessage]? {
        guard let stamp = Stamp(path: file), let data = FileManager.default.contents(atPath: path(for: file)),
              let newline = data.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let header = String(decoding: data[data.startIndex..<newline], as: UTF8.self).split(separator: " ")
        let body = data[(newline + 1)...]
        guard header.count == 3, header[0] == magic, header[1] == "\(formatVersion)",
              let crc = UInt32(header[2], radix: 16), body.withUnsafeBytes({ CRC32C.checksum($0) }) == crc,
              let contents = try? JSONDecoder().decode(Contents.self, from: body),
              contents.version == formatVersion, contents.stamp == stamp, Set(wanted).isSubset(of: contents.keys),
              !contents.messages.isEmpty,
              contents.messages.allSatisfy({ $0.offset >= 0 && $0.length > 0 && $0.offset + $0.length <= Int(stamp.size) })
        else { return nil }
        return contents.messages.map {
            GRIBMessage(fileIndex: fileIndex, offset: $0.offset, length: $0.length, keys: $0.keys, text: $0.text)
        }
    }

    /// Writes the index of `file` (its `messages`, scanned for `keys` from the version of it `stamp` names) when its
    /// directory is writable; failures are ignored, as the index only saves time.
    static func store(_ messages: [GRIBMessage], keys: [String], file: String, stamp: Stamp) {
        let target = path(for: file)
        let dir = (target as NSString).deletingLastPathComponent
        guard directoryIsWritable(dir.isEmpty ? "." : dir) else { return }
        let contents = Contents(version: formatVersion, stamp: stamp, keys: keys, messages: messages.map {
            Entry(offset: $0.offset, length: $0.length, keys: $0.keys, text: $0.text)
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let body = try? encoder.encode(contents) else { return }
        let crc = body.withUnsafeBytes { CRC32C.checksum($0) }
        var data = Data("\(magic) \(formatVersion) \(String(crc, radix: 16))\n".utf8)
        data.append(body)
        let temporary = target + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
        if rename(temporary, target) != 0 { unlink(temporary) }
    }

    /// True when the directory's permission bits let this process write there (not only `access`, which grants root
    /// everything: a read-only data directory is left alone whoever runs).
    public static func directoryIsWritable(_ dir: String) -> Bool {
        var st = stat()
        guard stat(dir, &st) == 0, access(dir, W_OK) == 0 else { return false }
        let mode = st.st_mode
        if st.st_uid == geteuid() { return mode & S_IWUSR != 0 }
        if st.st_gid == getegid() { return mode & S_IWGRP != 0 }
        return mode & S_IWOTH != 0
    }
}

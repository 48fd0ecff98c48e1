import Foundation

/// The size a NetCDF classic / 64-bit offset / CDF-5 file must have, from its header.
///
/// libnetcdf reads past the end of a truncated classic file as fill values without an error, so the
/// reader checks the file length against the header's variable offsets when it opens such a file.
enum ClassicFormatSize {
    /// What the header says about the file's length.
    enum Verdict: Equatable {
        /// The data reaches to this byte.
        case needs(Int)
        /// The header ends before all of it was read (cut inside the header when the bytes given are the whole file).
        case headerCutAt(Int)
        /// The record count is the streaming marker 0xFFFFFFFF: the writer never stored the real count.
        case streamingRecordCount
        /// A count or id in the header is impossible (more elements than the file has bytes left, a dimension id that is
        /// not a dimension): libnetcdf would allocate what the count says before finding out.
        case corrupt(String)
        /// The header cannot be parsed (then libnetcdf decides).
        case unparsed
    }

    /// Bytes the data of the file reaches to, or nil when the header cannot be parsed (then libnetcdf decides).
    static func requiredBytes(header b: [UInt8]) -> Int? {
        if case .needs(let n) = verdict(header: b) { return n }
        return nil
    }

    /// What the header in `b` (the first bytes of a file of `fileSize` bytes; the whole file by default) says about the
    /// file's length.
    static func verdict(header b: [UInt8], fileSize: Int? = nil) -> Verdict {
        var p = Parser(b: b, fileSize: fileSize ?? b.count)
        if let n = p.required() { return .needs(n) }
        if p.streaming { return .streamingRecordCount }
        if let why = p.corrupt { return .corrupt(why) }
        return p.ranOut ? .headerCutAt(b.count) : .unparsed
    }

    private struct Parser {
        let b: [UInt8]
        /// Length of the whole file (`b` may be its first bytes only).
        let fileSize: Int
        var i = 0
        var version = 1
        /// True when parsing stopped because the bytes ended.
        var ranOut = false
        /// True when the record count is the streaming marker.
        var streaming = false
        /// Why the header is impossible, when it is.
        var corrupt: String?

        mutating func u32() -> Int? {
            guard i + 4 <= b.count else { ranOut = true; return nil }
            defer { i += 4 }
            return Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
        }
        mutating func u64() -> Int? {
            guard let hi = u32(), let lo = u32() else { return nil }
            return hi << 32 | lo
        }
        /// A count or length; nil when negative (a corrupt header).
        mutating func count() -> Int? {
            guard let v = version == 5 ? u64() : u32(), v >= 0 else { return nil }
            return v
        }
        /// A count of elements each at least `minBytes` long; nil, with `corrupt` set, when they cannot fit in the bytes
        /// of the file that follow it.
        mutating func elements(_ what: String, minBytes: Int) -> Int? {
            let at = i
            guard let n = count() else {
                if !ranOut { corrupt = "\(what) at byte \(at) is negative" }
                return nil
            }
            let left = fileSize - i
            let (need, o) = n.multipliedReportingOverflow(by: minBytes)
            guard !o, need <= left else {
                corrupt = "\(what) \(n) at byte \(at) cannot fit in the \(left) bytes after it"
                return nil
            }
            return n
        }
        mutating func skip(_ n: Int) -> Bool {
            guard n >= 0 else { return false }
            guard n <= b.count else { ranOut = true; return false }
            let padded = (n + 3) & ~3
            guard i + padded <= b.count else { ranOut = true; return false }
            i += padded
            return true
        }
        mutating func name() -> Bool { guard let n = count() else { return false }; return skip(n) }

        static func typeSize(_ t: Int) -> Int? {
            switch t {
            case 1, 2, 7: return 1
            case 3, 8: return 2
            case 4, 5, 9: return 4
            case 6, 10, 11: return 8
            default: return nil
            }
        }

        mutating func attributes() -> Bool {
            guard let tag = u32(), let n = elements("an attribute count", minBytes: 12) else { return false }
            if tag == 0 { return n == 0 }
            guard tag == 0x0C else { return false }
            for _ in 0..<n {
                guard name(), let t = u32(), let size = Self.typeSize(t),
                      let m = elements("an attribute's value count", minBytes: size) else { return false }
                let (bytes, overflow) = m.multipliedReportingOverflow(by: size)
                guard !overflow, skip(bytes) else { return false }
            }
            return true
        }

        mutating func required() -> Int? {
            guard b.count >= 4, b[0] == 0x43, b[1] == 0x44, b[2] == 0x46, [1, 2, 5].contains(b[3]) else { return nil }
            version = Int(b[3])
            i = 4
            guard let numrecs = version == 5 ? u64() : u32() else { return nil }
            if numrecs == 0xFFFF_FFFF || (version == 5 && numrecs == -1) { streaming = true; return nil }
            guard numrecs >= 0 else { return nil }
            // dimensions
            guard let dtag = u32(), let nd = elements("the dimension count", minBytes: 8) else { return nil }
            var dims: [Int] = []
            if dtag == 0x0A {
                for _ in 0..<nd {
                    guard name(), let len = count() else { return nil }
                    dims.append(len)
                }
            } else if dtag != 0 { return nil }
            guard attributes() else { return nil }
            guard let vtag = u32(), let nv = elements("the variable count", minBytes: 28) else { return nil }
            if vtag == 0 { return i }
            guard vtag == 0x0B else { return nil }
            struct Var { var isRecord: Bool; var bytes: Int; var vsize: Int; var begin: Int }
            var vars: [Var] = []
            for k in 0..<nv {
                guard name(), let rank = elements("the rank of variable #\(k)", minBytes: version == 5 ? 8 : 4) else { return nil }
                var ids: [Int] = []
                for _ in 0..<rank {
                    guard let d = count() else { return nil }
                    guard d < dims.count else {
                        corrupt = "variable #\(k) names dimension id \(d) of \(dims.count)"
                        return nil
                    }
                    ids.append(d)
                }
                guard attributes(), let t = u32(), let size = Self.typeSize(t), let vsize = count() else { return nil }
                guard let begin = version == 1 ? u32() : u64() else { return nil }
                let isRecord = !ids.isEmpty && dims[ids[0]] == 0
                var bytes = size
                for d in ids.dropFirst(isRecord ? 1 : 0) {
                    let (p, o) = bytes.multipliedReportingOverflow(by: dims[d])
                    guard !o else { return nil }
                    bytes = p
                }
                vars.append(Var(isRecord: isRecord, bytes: bytes, vsize: vsize, begin: begin))
            }
            let records = vars.filter(\.isRecord)
            var recsize = 0
            if records.count == 1 { recsize = records[0].bytes } else {
                for r in records { let (s, o) = recsize.addingReportingOverflow(r.vsize); guard !o else { return nil }; recsize = s }
            }
            var need = i
            // Sizes are summed with overflow checks: a header that overflows is left to libnetcdf.
            for v in vars {
                var end = v.begin
                if v.isRecord {
                    guard numrecs > 0 else { continue }
                    let (a, o1) = (numrecs - 1).multipliedReportingOverflow(by: recsize)
                    let (b, o2) = end.addingReportingOverflow(a)
                    guard !o1 && !o2 else { return nil }
                    end = b
                }
                let (c, o3) = end.addingReportingOverflow(v.bytes)
                guard !o3 else { return nil }
                need = max(need, c)
            }
            return need
        }
    }
}

import Foundation

/// The size a NetCDF classic / 64-bit offset / CDF-5 file must have, from its header.
///
/// libnetcdf reads past the end of a truncated classic file as fill values without an error, so the
/// reader checks the file length against the header's variable offsets when it opens such a file.
enum ClassicFormatSize {
    /// Bytes the data of the file reaches to, or nil when the header cannot be parsed (then libnetcdf decides).
    static func requiredBytes(header b: [UInt8]) -> Int? {
        var p = Parser(b: b)
        return p.required()
    }

    private struct Parser {
        let b: [UInt8]
        var i = 0
        var version = 1

        mutating func u32() -> Int? {
            guard i + 4 <= b.count else { return nil }
            defer { i += 4 }
            return Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
        }
        mutating func u64() -> Int? {
            guard let hi = u32(), let lo = u32() else { return nil }
            return hi << 32 | lo
        }
        mutating func count() -> Int? { version == 5 ? u64() : u32() }
        mutating func skip(_ n: Int) -> Bool {
            let padded = (n + 3) & ~3
            guard n >= 0, i + padded <= b.count else { return false }
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
            guard let tag = u32(), let n = count() else { return false }
            if tag == 0 { return n == 0 }
            guard tag == 0x0C else { return false }
            for _ in 0..<n {
                guard name(), let t = u32(), let size = Self.typeSize(t), let m = count(), skip(m * size) else { return false }
            }
            return true
        }

        mutating func required() -> Int? {
            guard b.count >= 8, b[0] == 0x43, b[1] == 0x44, b[2] == 0x46, [1, 2, 5].contains(b[3]) else { return nil }
            version = Int(b[3])
            i = 4
            guard let numrecs = count() else { return nil }
            // dimensions
            guard let dtag = u32(), let nd = count() else { return nil }
            var dims: [Int] = []
            if dtag == 0x0A {
                for _ in 0..<nd {
                    guard name(), let len = count() else { return nil }
                    dims.append(len)
                }
            } else if dtag != 0 { return nil }
            guard attributes() else { return nil }
            guard let vtag = u32(), let nv = count() else { return nil }
            if vtag == 0 { return i }
            guard vtag == 0x0B else { return nil }
            struct Var { var isRecord: Bool; var bytes: Int; var vsize: Int; var begin: Int }
            var vars: [Var] = []
            for _ in 0..<nv {
                guard name(), let rank = count() else { return nil }
                var ids: [Int] = []
                for _ in 0..<rank { guard let d = count(), d < dims.count else { return nil }; ids.append(d) }
                guard attributes(), let t = u32(), let size = Self.typeSize(t), let vsize = count() else { return nil }
                guard let begin = version == 1 ? u32() : u64() else { return nil }
                let isRecord = !ids.isEmpty && dims[ids[0]] == 0
                let bytes = ids.dropFirst(isRecord ? 1 : 0).reduce(size) { $0 * dims[$1] }
                vars.append(Var(isRecord: isRecord, bytes: bytes, vsize: vsize, begin: begin))
            }
            let records = vars.filter(\.isRecord)
            let recsize = records.count == 1 ? records[0].bytes : records.reduce(0) { $0 + $1.vsize }
            let streaming = numrecs == (version == 5 ? -1 : 0xFFFF_FFFF)
            var need = i
            for v in vars {
                if v.isRecord {
                    if numrecs > 0 && !streaming { need = max(need, v.begin + (numrecs - 1) * recsize + v.bytes) }
                } else {
                    need = max(need, v.begin + v.bytes)
                }
            }
            return need
        }
    }
}

import Foundation

/// The most memory one read may allocate, checked before a size taken from a file's header becomes an allocation.
///
/// Swift traps when an allocation fails, so a corrupt dimension length or a plane larger than the process may hold
/// must be refused with a typed error before the memory is asked for.
public enum ReadMemoryCap {
    /// `WXENS_MAX_READ_BYTES` when set, else half of the smallest of physical memory and the address-space and data limits.
    public static let bytes: Int = {
        if let s = ProcessInfo.processInfo.environment["WXENS_MAX_READ_BYTES"], let v = Int(s), v > 0 { return v }
        var limit = UInt64(ProcessInfo.processInfo.physicalMemory)
        for resource in [RLIMIT_AS, RLIMIT_DATA] {
            var r = rlimit()
            #if os(Linux)
            let ok = getrlimit(__rlimit_resource_t(resource.rawValue), &r) == 0
            #else
            let ok = getrlimit(resource, &r) == 0
            #endif
            if ok && r.rlim_cur != rlim_t.max { limit = min(limit, UInt64(r.rlim_cur)) }
        }
        return Int(min(limit / 2, UInt64(Int.max / 2)))
    }()

    /// The bytes of `count` values of `elementBytes` bytes each, times `copies`; nil on overflow.
    static func bytes(count: Int, elementBytes: Int, copies: Int = 1) -> Int? {
        let (a, o1) = count.multipliedReportingOverflow(by: elementBytes)
        let (b, o2) = a.multipliedReportingOverflow(by: copies)
        return o1 || o2 || count < 0 ? nil : b
    }

    /// Throws `tooLarge` unless `count` values of `elementBytes` bytes (times `copies`) fit under the cap.
    static func check(count: Int, elementBytes: Int, copies: Int = 1, path: String, variable: String?, what: String) throws {
        guard let need = bytes(count: count, elementBytes: elementBytes, copies: copies), need <= Self.bytes else {
            let size = bytes(count: count, elementBytes: elementBytes, copies: copies).map(String.init) ?? "more than \(Int.max)"
            throw WXIOError.tooLarge(path: path, variable: variable,
                                     detail: "\(what) of \(count) values needs \(size) bytes, over the cap of \(Self.bytes) bytes (WXENS_MAX_READ_BYTES)")
        }
    }

    /// The product of `shape`, or `tooLarge` when it overflows.
    static func product(_ shape: [Int], path: String, variable: String) throws -> Int {
        var n = 1
        for d in shape {
            let (p, o) = n.multipliedReportingOverflow(by: d)
            guard !o, d >= 0 else { throw WXIOError.tooLarge(path: path, variable: variable, detail: "shape \(shape) overflows") }
            n = p
        }
        return n
    }

    /// Throws `tooLarge` unless per-field summaries (min, max, sum, flag, count: 33 bytes each) of `planes` fields fit.
    public static func checkSummaries(planes: Int, path: String, variable: String) throws {
        try check(count: planes, elementBytes: 33, path: path, variable: variable, what: "per-field summaries")
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Transparent huge pages for large fresh buffers.
///
/// A fresh buffer of hundreds of MB (a whole variable read, a batch of activations) is otherwise filled through one
/// page fault per 4 KiB, each zeroing its page under the process's memory locks, so threads filling it together
/// contend; with huge pages it is one fault per 2 MiB. Only advice: where THP is off it changes nothing.
public enum HugePages {
    /// Size from which a buffer asks for huge pages.
    public static let threshold = 16 << 20

    /// Advises huge pages over the 2 MiB-aligned interior of `byteCount` bytes at `base`, if that is at least `threshold`;
    /// call it before the first write.
    public static func advise(_ base: UnsafeMutableRawPointer, byteCount: Int) {
        #if os(Linux)
        guard byteCount >= threshold else { return }
        let huge = 2 << 20
        let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
        let end = (Int(bitPattern: base) + byteCount) & ~(huge - 1)
        guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(p, end - start, MADV_HUGEPAGE)
        #endif
    }
}

import Foundation
import XCTest
import WXCore

final class HugePagesTests: XCTestCase {
    /// The VmFlags line of the mapping of /proc/self/smaps that holds `address`.
    private func vmFlags(containing address: Int) throws -> [String]? {
        // procfs files report size 0, so read to the end rather than by size.
        let handle = try XCTUnwrap(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let ends = range.split(separator: "-").compactMap { Int($0, radix: 16) }
                inside = ends.count == 2 && ends[0] <= address && address < ends[1]
            } else if inside, line.hasPrefix("VmFlags:") {
                return fields.dropFirst().map(String.init)
            }
        }
        return nil
    }

    #if os(Linux)
    /// A fresh anonymous mapping of `bytes`: its own VMA, so no flag of an earlier (freed, advised) heap allocation
    /// that malloc might hand out again can show up in the checks.
    private func freshMapping(_ bytes: Int) throws -> UnsafeMutableRawPointer {
        let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let p, p != MAP_FAILED else { throw XCTSkip("mmap failed") }
        return p
    }
    #endif

    func testLargeBufferIsAdvisedAndKeepsItsValues() throws {
        #if os(Linux)
        guard FileManager.default.fileExists(atPath: "/sys/kernel/mm/transparent_hugepage/enabled") else {
            throw XCTSkip("this kernel has no transparent huge pages")
        }
        let bytes = 64 << 20
        let p = try freshMapping(bytes)
        defer { munmap(p, bytes) }
        HugePages.advise(p, byteCount: bytes)
        let floats = p.bindMemory(to: Float.self, capacity: bytes / 4)
        for i in stride(from: 0, to: bytes / 4, by: 1024) { floats[i] = Float(i) }
        for i in stride(from: 0, to: bytes / 4, by: 1024) where floats[i] != Float(i) { return XCTFail("value \(i) changed") }
        let interior = (Int(bitPattern: p) + (4 << 20)) & ~((2 << 20) - 1)
        let flags = try XCTUnwrap(try vmFlags(containing: interior), "no mapping holds the buffer")
        XCTAssertTrue(flags.contains("hg"), "MADV_HUGEPAGE not set on the buffer's mapping: \(flags)")
        #else
        throw XCTSkip("huge-page advice is Linux only")
        #endif
    }

    func testSmallBufferIsLeftAlone() throws {
        #if os(Linux)
        let bytes = HugePages.threshold - 4096
        let p = try freshMapping(bytes)
        defer { munmap(p, bytes) }
        HugePages.advise(p, byteCount: bytes)
        let flags = try XCTUnwrap(try vmFlags(containing: Int(bitPattern: p) + bytes / 2))
        XCTAssertFalse(flags.contains("hg"), "a buffer under the threshold was advised: \(flags)")
        #else
        throw XCTSkip("huge-page advice is Linux only")
        #endif
    }
}

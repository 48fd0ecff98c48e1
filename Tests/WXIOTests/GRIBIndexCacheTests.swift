import Foundation
import XCTest
import WXCore
import WXIO

/// The message index kept beside a GRIB file: used when current, ignored and rewritten when stale or damaged, absent where
/// the directory is not writable, and never changing what a file reads as.
final class GRIBIndexCacheTests: XCTestCase {
    func grib(_ name: String) throws -> String { try SharedData.path("grib/" + name) }

    /// A copy of a shared GRIB file in a fresh scratch directory (the shared one is read-only).
    func copy(_ name: String, into dir: URL) throws -> String {
        let p = dir.appendingPathComponent(name).path
        try FileManager.default.copyItem(atPath: try grib(name), toPath: p)
        return p
    }

    /// Asserts two openings of the same files present the same hypercube: messages, dimensions, variables, attributes,
    /// coordinates and the values of every readable variable.
    func assertSameHypercube(_ a: GRIBFile, _ b: GRIBFile, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(a.messages.map(\.offset), b.messages.map(\.offset), what, file: file, line: line)
        XCTAssertEqual(a.messages.map(\.length), b.messages.map(\.length), what, file: file, line: line)
        XCTAssertEqual(a.messages.map(\.keys), b.messages.map(\.keys), what, file: file, line: line)
        XCTAssertEqual(a.messages.map(\.text), b.messages.map(\.text), what, file: file, line: line)
        XCTAssertEqual(a.formatName, b.formatName, what, file: file, line: line)
        XCTAssertEqual(try a.dimensions(inGroup: "/"), try b.dimensions(inGroup: "/"), what, file: file, line: line)
        XCTAssertEqual(try a.attributes(ofGroup: "/"), try b.attributes(ofGroup: "/"), what, file: file, line: line)
        let va = try a.variables(inGroup: "/"), vb = try b.variables(inGroup: "/")
        XCTAssertEqual(va, vb, what, file: file, line: line)
        for v in va where v.dataType == .float32 {
            let fa: Field<Float>, fb: Field<Float>
            do { fa = try a.readField(v.name) } catch is GRIBError { continue }
            fb = try b.readField(v.name)
            XCTAssertEqual(fa.values.map(\.bitPattern), fb.values.map(\.bitPattern), "\(what): \(v.name)", file: file, line: line)
            XCTAssertEqual(fa.coordinates, fb.coordinates, "\(what): \(v.name)", file: file, line: line)
        }
    }

    func testEveryGRIBFileReadsTheSameFromItsIndexAsFromAScan() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let names = try FileManager.default.contentsOfDirectory(atPath: (try grib("README.md") as NSString).deletingLastPathComponent)
            .filter { $0.hasSuffix(".grib") || $0.hasSuffix(".grib2") }.sorted()
        XCTAssertGreaterThan(names.count, 5)
        var indexed = 0
        for name in names {
            let p = try copy(name, into: dir)
            let scanned: GRIBFile
            do { scanned = try GRIBFile(path: p, index: false) } catch {
                // A file that cannot be opened fails the same way with its index, written or not.
                XCTAssertThrowsError(try GRIBFile(path: p, index: true), name) { XCTAssertEqual("\($0)", "\(error)", name) }
                XCTAssertThrowsError(try GRIBFile(path: p, index: true), name) { XCTAssertEqual("\($0)", "\(error)", name) }
                continue
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: GRIBIndexCache.path(for: p)), "\(name): index: false writes none")
            let first = try GRIBFile(path: p, index: true)
            XCTAssertFalse(first.messagesFromIndex, name)
            XCTAssertTrue(FileManager.default.fileExists(atPath: GRIBIndexCache.path(for: p)), name)
            let second = try GRIBFile(path: p, index: true)
            XCTAssertTrue(second.messagesFromIndex, name)
            try assertSameHypercube(scanned, first, "\(name) (scanned, index written)")
            try assertSameHypercube(scanned, second, "\(name) (from the index)")
            indexed += 1
        }
        XCTAssertGreaterThan(indexed, 5)
    }

    func testAStaleIndexIsIgnoredAndRewritten() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = try copy("era5-levels-members.grib", into: dir)
        let whole = try GRIBFile(path: p, index: true)
        XCTAssertTrue(try GRIBFile(path: p, index: true).messagesFromIndex)
        // The file replaced by its first half: other size, time and inode.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: p))
        let half = whole.messages.count / 2
        let cut = whole.messages[half].offset
        try bytes.prefix(cut).write(to: URL(fileURLWithPath: p), options: .atomic)
        let shorter = try GRIBFile(path: p, index: true)
        XCTAssertFalse(shorter.messagesFromIndex)
        XCTAssertEqual(shorter.messages.count, half)
        try assertSameHypercube(try GRIBFile(path: p, index: false), shorter, "after the file changed")
        XCTAssertTrue(try GRIBFile(path: p, index: true).messagesFromIndex, "the index is rewritten for the new file")
        // Same bytes, new modification time: stale too.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 3600)], ofItemAtPath: p)
        XCTAssertFalse(try GRIBFile(path: p, index: true).messagesFromIndex)
        XCTAssertTrue(try GRIBFile(path: p, index: true).messagesFromIndex)
    }

    func testADamagedIndexIsIgnoredAndRewritten() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = try copy("era5-levels-members.grib", into: dir)
        let reference = try GRIBFile(path: p, index: false)
        _ = try GRIBFile(path: p, index: true)
        let idx = GRIBIndexCache.path(for: p)
        let good = try Data(contentsOf: URL(fileURLWithPath: idx))
        var flipped = good
        flipped[good.count / 2] ^= 0x01
        let damaged: [(String, Data)] = [("empty", Data()), ("garbage", Data("not an index\n{}".utf8)),
                                         ("truncated", good.prefix(good.count / 3)), ("one bit flipped", flipped),
                                         ("other format version", Data("wxens-grib-index 999 0\n".utf8) + good.drop { $0 != UInt8(ascii: "\n") }.dropFirst())]
        for (label, data) in damaged {
            try data.write(to: URL(fileURLWithPath: idx))
            let f = try GRIBFile(path: p, index: true)
            XCTAssertFalse(f.messagesFromIndex, label)
            try assertSameHypercube(reference, f, label)
            XCTAssertTrue(try GRIBFile(path: p, index: true).messagesFromIndex, "\(label): rewritten")
        }
    }

    func testAFilterOnAKeyTheIndexLacksScansAgain() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = try copy("t_on_different_level_types.grib", into: dir)
        XCTAssertThrowsError(try GRIBFile(path: p, index: true))
        XCTAssertTrue(FileManager.default.fileExists(atPath: GRIBIndexCache.path(for: p)), "the scan is kept even when the hypercube fails")
        let filter = try GRIBFilter(parsing: ["typeOfFirstFixedSurface=ml"], path: p)
        let scanned = try GRIBFile(path: p, filter: filter, index: false)
        let f = try GRIBFile(path: p, filter: filter, index: true)
        XCTAssertFalse(f.messagesFromIndex)
        try assertSameHypercube(scanned, f, "filter on a key outside the index")
        XCTAssertTrue(try GRIBFile(path: p, filter: filter, index: true).messagesFromIndex)
        let byLevel = try GRIBFilter(parsing: ["typeOfLevel=hybrid"], path: p)
        XCTAssertTrue(try GRIBFile(path: p, filter: byLevel, index: true).messagesFromIndex, "the rewritten index keeps the standard keys")
    }

    func testNoIndexWhereTheDirectoryIsNotWritableOrWhenTurnedOff() throws {
        let dir = try TestSupport.scratchDirectory()
        defer {
            chmod(dir.path, 0o755)
            try? FileManager.default.removeItem(at: dir)
        }
        let p = try copy("regular_ll_sfc.grib", into: dir)
        XCTAssertEqual(chmod(dir.path, 0o555), 0)
        XCTAssertFalse(GRIBIndexCache.directoryIsWritable(dir.path))
        let f = try GRIBFile(path: p, index: true)
        XCTAssertFalse(f.messagesFromIndex)
        XCTAssertFalse(FileManager.default.fileExists(atPath: GRIBIndexCache.path(for: p)))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["regular_ll_sfc.grib"])
        XCTAssertEqual(chmod(dir.path, 0o755), 0)
        XCTAssertTrue(GRIBIndexCache.directoryIsWritable(dir.path))
        XCTAssertFalse(GRIBIndexCache.enabled(environment: ["WXENS_GRIB_INDEX": "off"]))
        XCTAssertFalse(GRIBIndexCache.enabled(environment: ["WXENS_GRIB_INDEX": "0"]))
        XCTAssertTrue(GRIBIndexCache.enabled(environment: [:]))
        XCTAssertTrue(GRIBIndexCache.enabled(environment: ["WXENS_GRIB_INDEX": "on"]))
        // The shared data directory is read-only by its permissions: opening its files writes nothing there.
        let shared = try grib("regular_ll_sfc.grib")
        _ = try GRIBFile(path: shared, index: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: GRIBIndexCache.path(for: shared)))
    }
}

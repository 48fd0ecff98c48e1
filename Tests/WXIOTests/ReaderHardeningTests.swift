import Foundation
import XCTest
import WXCore
import WXIO

/// Inputs a hostile user can give the readers: each is refused with a typed error naming the file, never a crash or hang.
final class ReaderHardeningTests: XCTestCase {
    func testFIFODirectoryAndSymlinkLoopAreNotRegularFiles() throws {
        let dir = try TestFiles.directory()
        let fifo = dir.appendingPathComponent("x.nc").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let folder = dir.appendingPathComponent("d.nc").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let loop = dir.appendingPathComponent("loop.nc").path
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)
        for (p, kind) in [(fifo, "a FIFO"), (folder, "a directory"), (loop, "a symbolic link loop")] {
            for open in [{ _ = try GriddedFiles.open(p) }, { _ = try NetCDFFile(path: p) }, { _ = try HDF5File(path: p) }] {
                XCTAssertThrowsError(try open()) { e in XCTAssertEqual(e as? WXIOError, .notARegularFile(path: p, kind: kind)) }
            }
        }
    }

    func testClassicFileNamedH5OpensAsClassic() throws {
        let dir = try TestFiles.directory()
        let nc = try TestFiles.make(TestFiles.rampCDL(), kind: "classic", name: "ramp.nc", in: dir)
        let h5 = dir.appendingPathComponent("ramp.h5").path
        try FileManager.default.copyItem(atPath: nc, toPath: h5)
        let f = try GriddedFiles.open(h5)
        XCTAssertEqual(f.formatName, "classic")
        XCTAssertEqual(try f.variable("t").shape, [4, 30, 40])
    }

    func testClassicFileCutInsideItsHeaderIsCorrupt() throws {
        let dir = try TestFiles.directory()
        let p = try TestFiles.make(TestFiles.rampCDL(), kind: "classic", name: "ramp.nc", in: dir)
        let whole = try Data(contentsOf: URL(fileURLWithPath: p))
        let cuts = [Data("CDF\u{1}garbage".utf8)] + [8, 12, 40, 64, 100, 128].map { whole.prefix($0) }
        for (k, bytes) in cuts.enumerated() {
            let q = dir.appendingPathComponent("cut\(k).nc").path
            try bytes.write(to: URL(fileURLWithPath: q))
            XCTAssertThrowsError(try GriddedFiles.open(q), "\(bytes.count) bytes") { e in
                guard case WXIOError.truncatedOrCorrupt(let path, _) = e else { return XCTFail("\(bytes.count) bytes: \(e)") }
                XCTAssertEqual(path, q)
            }
        }
    }

    func testStreamingRecordCountIsRefused() throws {
        let dir = try TestFiles.directory()
        let p = try TestFiles.make(TestFiles.rampCDL().replacingOccurrences(of: "time = 4 ;", with: "time = UNLIMITED ;"),
                                   kind: "classic", name: "rec.nc", in: dir)
        var data = try Data(contentsOf: URL(fileURLWithPath: p))
        for i in 4..<8 { data[i] = 0xFF }
        try data.write(to: URL(fileURLWithPath: p))
        XCTAssertThrowsError(try GriddedFiles.open(p)) { e in
            guard case WXIOError.truncatedOrCorrupt(let path, let d) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(path, p)
            XCTAssertTrue(d.contains("streaming"), d)
        }
    }

    func testClassicNameLengthBeyondTheFileIsRefusedBeforeLibnetcdf() throws {
        let dir = try TestFiles.directory()
        let p = try TestFiles.make(TestFiles.rampCDL(), kind: "classic", name: "ramp.nc", in: dir)
        var data = try Data(contentsOf: URL(fileURLWithPath: p))
        // magic, numrecs, NC_DIMENSION tag, dimension count, then the first name's length: libnetcdf would calloc it
        for (i, b) in [0x7F, 0xFF, 0xFF, 0xF0].enumerated() { data[16 + i] = UInt8(b) }
        try data.write(to: URL(fileURLWithPath: p))
        XCTAssertThrowsError(try NetCDFFile(path: p)) { e in
            guard case WXIOError.truncatedOrCorrupt(let path, let d) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(path, p)
            XCTAssertTrue(d.contains("ends inside its header"), d)
        }
    }

    func testImpossibleVariableRankOrDimensionIdIsRefusedBeforeLibnetcdf() throws {
        let dir = try TestFiles.directory()
        let p = try TestFiles.make(TestFiles.rampCDL(), kind: "classic", name: "ramp.nc", in: dir)
        let whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: p)))
        // The variable `time`: name length 4, "time", then its rank 1 (the dimension `time` is followed by its length 4).
        let entry: [UInt8] = [0, 0, 0, 4] + Array("time".utf8) + [0, 0, 0, 1]
        guard let at = (0...(whole.count - entry.count)).first(where: { Array(whole[$0..<($0 + entry.count)]) == entry }) else {
            return XCTFail("no variable entry for time in the header")
        }
        let rank = at + 8
        // A rank libnetcdf would allocate (new_x_NC_var) before reading it, a rank larger than the file, and rank 2,
        // which makes the attribute tag 0x0C the second dimension id.
        let cases: [([UInt8], String)] = [([0x7F, 0xFF, 0xFF, 0xFF], "rank of variable #0"),
                                           ([0x00, 0x10, 0x00, 0x00], "rank of variable #0"),
                                           ([0, 0, 0, 2], "dimension id 12 of 3")]
        for (k, (bytes, expected)) in cases.enumerated() {
            var data = whole
            data.replaceSubrange(rank..<(rank + 4), with: bytes)
            let q = dir.appendingPathComponent("rank\(k).nc").path
            try Data(data).write(to: URL(fileURLWithPath: q))
            XCTAssertThrowsError(try GriddedFiles.open(q), expected) { e in
                guard case WXIOError.truncatedOrCorrupt(let path, let d) = e else { return XCTFail("\(expected): \(e)") }
                XCTAssertEqual(path, q)
                XCTAssertTrue(d.contains(expected), d)
            }
        }
        XCTAssertEqual(try GriddedFiles.open(p).variable("t").shape, [4, 30, 40])
    }

    func testHardLinkCycleIsWalkedOnce() throws {
        let dir = try TestFiles.directory()
        let p = HDF5TestFiles.hardLinkCycle(in: dir)
        let f = try HDF5File(path: p)
        XCTAssertEqual(try f.groupPaths(), ["/", "/a", "/a/b"])
        XCTAssertEqual(try f.allVariables().count, 0)
    }

    func testGroupDepthIsLimited() throws {
        let dir = try TestFiles.directory()
        XCTAssertEqual(try HDF5File(path: HDF5TestFiles.deepGroups(depth: 10, in: dir)).groupPaths().count, 11)
        let deep = try TestFiles.directory()
        let p = HDF5TestFiles.deepGroups(depth: HDF5File.maxGroupDepth + 5, in: deep)
        XCTAssertThrowsError(try HDF5File(path: p).groupPaths()) { e in
            guard case WXIOError.truncatedOrCorrupt(let path, let d) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(path, p)
            XCTAssertTrue(d.contains("deeper"), d)
        }
    }

    func testHDFEOSWithZeroedTailFailsCleanly() throws {
        let src = try SharedData.path("real/MLS-Aura_L2GP-IWC_v02-21-c02_2007d210.he5")
        let dir = try TestFiles.directory()
        let p = dir.appendingPathComponent("zeroed.he5").path
        var data = try Data(contentsOf: URL(fileURLWithPath: src))
        for i in (data.count - 4096)..<data.count { data[i] = 0 }
        try data.write(to: URL(fileURLWithPath: p))
        do {
            let f = try GriddedFiles.open(p)
            _ = try f.groupPaths()
        } catch let e as WXIOError {
            XCTAssertEqual(e.path, p)
        }
    }

    func testErrorDetailDropsThePath() {
        XCTAssertEqual(WXIOError.fileNotFound(path: "/x/a.nc").detail, "file not found")
        XCTAssertEqual(WXIOError.notARegularFile(path: "a.nc", kind: "a FIFO").detail, "not a regular file (a FIFO)")
    }
}

import Foundation
import XCTest
import WXCore
import WXIO

/// The direct-chunk fast path gives the same bits as the library path, at any thread count.
final class DirectChunkReaderTests: XCTestCase {
    func libraryPlanes<T: BinaryFloatingPoint & Sendable>(_ f: GriddedFile, _ v: String, _ t: T.Type) throws -> [[T]] {
        let r = try PlaneReader<T>(file: f, variable: v)
        var out: [[T]] = []
        var buf = [T](repeating: 0, count: r.planeSize)
        for k in 0..<r.planeCount {
            try buf.withUnsafeMutableBufferPointer { try r.read(plane: k, into: $0) }
            out.append(buf)
        }
        return out
    }

    func directPlanes<T: BinaryFloatingPoint & Sendable>(_ f: GriddedFile, _ v: String, _ t: T.Type, threads: Int,
                                                          expectDirect: Bool) throws -> [[T]] {
        let r = try DirectChunkReader<T>(file: f, variable: v)
        XCTAssertEqual(r.isDirect, expectDirect, "\(v): \(r.fallbackReason ?? "direct")")
        var out = [[T]](repeating: [], count: r.planeCount)
        let lock = NSLock()
        try Parallel.withThreads(threads) {
            try r.forEachPlane { k, values in
                let copy = Array(values.prefix(r.planeSize))
                lock.lock(); out[k] = copy; lock.unlock()
            }
        }
        return out
    }

    func assertSameBits<T: BinaryFloatingPoint>(_ a: [[T]], _ b: [[T]], _ what: String) {
        XCTAssertEqual(a.count, b.count, what)
        for (k, (x, y)) in zip(a, b).enumerated() {
            XCTAssertTrue(x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(what) plane \(k)")
        }
    }

    func testCompressedFloatFileWithFills() throws {
        let dir = try TestFiles.directory()
        // zlib + shuffle, one chunk per 2-D field, a _FillValue and some missing points.
        var cdl = TestFiles.rampCDL(nt: 6, ny: 30, nx: 40)
        cdl = cdl.replacingOccurrences(of: "t:units = \"K\" ;",
                                       with: "t:units = \"K\" ; t:_FillValue = -1.f ; t:_ChunkSizes = 1, 30, 40 ; t:_DeflateLevel = 4 ; t:_Shuffle = \"true\" ;")
        cdl = cdl.replacingOccurrences(of: "t = 0.0, 0.25,", with: "t = -1, _,")
        let p = try TestFiles.make(cdl, kind: "nc4", name: "z.nc", in: dir)
        let f = try NetCDFFile(path: p)
        let lib = try libraryPlanes(f, "t", Float.self)
        XCTAssertTrue(lib[0][0].isNaN && lib[0][1].isNaN && lib[0][2] == 0.5)
        for threads in [1, 2, 3] {
            assertSameBits(try directPlanes(f, "t", Float.self, threads: threads, expectDirect: true), lib, "float, \(threads) threads")
        }
        assertSameBits(try directPlanes(f, "t", Double.self, threads: 2, expectDirect: true), try libraryPlanes(f, "t", Double.self), "as Double")
    }

    func testPackedPerfectModelFile() throws {
        let f = try NetCDFFile(path: try SharedData.path("perfect-model/reforecast_validation.nc"))
        let lib = try libraryPlanes(f, "msl", Float.self)
        assertSameBits(try directPlanes(f, "msl", Float.self, threads: 2, expectDirect: true), lib, "int16 packed")
    }

    func testFallbackForOtherLayouts() throws {
        // plain HDF5 with chunks of 24 time steps: not one 2-D field per chunk -> library path, same values
        let h = try HDF5File(path: try SharedData.path("real/era5_t2m_uk_2019-03_plain.h5"))
        assertSameBits(try directPlanes(h, "/fields/t2m", Float.self, threads: 2, expectDirect: false),
                       try libraryPlanes(h, "/fields/t2m", Float.self), "plain HDF5")
        let c = try NetCDFFile(path: try SharedData.path("real/hgt.nc"))
        assertSameBits(try directPlanes(c, "HGT", Float.self, threads: 2, expectDirect: false),
                       try libraryPlanes(c, "HGT", Float.self), "classic")
    }
}

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
                                                          expectDirect: Bool, inflate: InflateBackend = .best) throws -> [[T]] {
        let r = try DirectChunkReader<T>(file: f, variable: v, inflate: inflate)
        XCTAssertEqual(r.inflateBackend, inflate.isAvailable ? inflate : .zlib)
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
            for backend in InflateBackend.allCases where backend.isAvailable {
                assertSameBits(try directPlanes(f, "t", Float.self, threads: threads, expectDirect: true, inflate: backend), lib,
                               "float, \(threads) threads, \(backend)")
            }
        }
        assertSameBits(try directPlanes(f, "t", Double.self, threads: 2, expectDirect: true), try libraryPlanes(f, "t", Double.self), "as Double")
    }

    func testPackedPerfectModelFile() throws {
        let f = try NetCDFFile(path: try SharedData.path("perfect-model/reforecast_validation.nc"))
        let lib = try libraryPlanes(f, "msl", Float.self)
        for backend in InflateBackend.allCases where backend.isAvailable {
            assertSameBits(try directPlanes(f, "msl", Float.self, threads: 2, expectDirect: true, inflate: backend), lib, "int16 packed, \(backend)")
        }
    }

    /// The ramp file with `t` stored as `attributes` say (storage, byte order, fill value): the ramp with its first two
    /// points missing, or the data line `values`.
    func rampFile(_ attributes: String, type: String = "float", values: String? = nil, name: String, in dir: URL) throws -> String {
        var cdl = TestFiles.rampCDL(nt: 6, ny: 30, nx: 40)
        cdl = cdl.replacingOccurrences(of: "float t(time, lat, lon) ; t:units = \"K\" ;",
                                       with: "\(type) t(time, lat, lon) ; t:units = \"K\" ; \(attributes)")
        if let values {
            cdl = cdl.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces).hasPrefix("t = ") ? values : String($0) }
                .joined(separator: "\n")
        } else {
            cdl = cdl.replacingOccurrences(of: "t = 0.0, 0.25,", with: "t = -1, _,")
        }
        return try TestFiles.make(cdl, kind: "nc4", name: name, in: dir)
    }

    /// Asserts `ncdump -s` reports `t` with this storage and byte order, so the test reads the layout it means to.
    func assertLayout(_ p: String, storage: String, endianness: String) throws {
        let header = try TestSupport.ncdump(["-hs", p])
        XCTAssertTrue(header.contains("t:_Storage = \"\(storage)\""), header)
        XCTAssertTrue(header.contains("t:_Endianness = \"\(endianness)\""), header)
    }

    func testContiguousFilesReadByPreadInBothByteOrders() throws {
        let dir = try TestFiles.directory()
        for order in ["little", "big"] {
            let p = try rampFile("t:_FillValue = -1.f ; t:_Storage = \"contiguous\" ; t:_Endianness = \"\(order)\" ;",
                                 name: "contiguous_\(order).nc", in: dir)
            try assertLayout(p, storage: "contiguous", endianness: order)
            let f = try NetCDFFile(path: p)
            let lib = try libraryPlanes(f, "t", Float.self)
            XCTAssertTrue(lib[0][0].isNaN && lib[0][1].isNaN && lib[0][2] == 0.5 && lib[5][1199] == 7199 * 0.25, order)
            for threads in [1, 2] {
                assertSameBits(try directPlanes(f, "t", Float.self, threads: threads, expectDirect: true), lib, "\(order), \(threads) threads")
            }
            assertSameBits(try directPlanes(f, "t", Double.self, threads: 2, expectDirect: true),
                           try libraryPlanes(f, "t", Double.self), "\(order) as Double")
            // Planes in any order and repeated, as verify asks for them.
            let r = try DirectChunkReader<Double>(file: f, variable: "t")
            let want = [5, 0, 3, 3]
            var got = [Double](repeating: 0, count: want.count * r.planeSize)
            try got.withUnsafeMutableBufferPointer { try r.read(planes: want, into: $0) }
            let libD = try libraryPlanes(f, "t", Double.self)
            assertSameBits(want.indices.map { Array(got[($0 * r.planeSize)..<(($0 + 1) * r.planeSize)]) }, want.map { libD[$0] }, "\(order) read(planes:)")
        }
    }

    func testPackedShortsInBothByteOrdersAndLayouts() throws {
        // int16 with scale, offset and a fill value: the decoded values (not the stored type) leave the reader.
        let dir = try TestFiles.directory()
        let n = 6 * 30 * 40
        let values = "t = -32767, " + (1..<n).map { String(($0 * 7) % 30000 - 15000) }.joined(separator: ", ") + " ;"
        let packing = "t:_FillValue = -32767s ; t:scale_factor = 0.01f ; t:add_offset = 250.f ;"
        for (storage, extra) in [("contiguous", "t:_Storage = \"contiguous\" ;"),
                                 ("chunked", "t:_ChunkSizes = 1, 30, 40 ; t:_DeflateLevel = 4 ; t:_Shuffle = \"true\" ;")] {
            for order in ["little", "big"] {
                let p = try rampFile("\(packing) \(extra) t:_Endianness = \"\(order)\" ;", type: "short",
                                     values: values,
                                     name: "\(storage)_\(order).nc", in: dir)
                try assertLayout(p, storage: storage, endianness: order)
                let f = try NetCDFFile(path: p)
                let lib = try libraryPlanes(f, "t", Double.self)
                XCTAssertTrue(lib[0][0].isNaN && lib[0][1] != 0, "\(storage) \(order)")
                assertSameBits(try directPlanes(f, "t", Double.self, threads: 2, expectDirect: true), lib, "\(storage) \(order) as Double")
                assertSameBits(try directPlanes(f, "t", Float.self, threads: 1, expectDirect: true),
                               try libraryPlanes(f, "t", Float.self), "\(storage) \(order) as Float")
            }
        }
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

import Foundation
import XCTest
import WXCore
import WXIO

/// Damaged or unusual Zarr stores: typed errors naming the store, the variable or metadata file and what was wrong,
/// never a crash; and a store written here by hand (no Python) in Fortran order, big-endian, with a missing chunk.
final class ZarrBadInputTests: XCTestCase {
    func testUnknownCodecIsATypedErrorNamingStoreVariableAndCodec() throws {
        let path = try ZarrFixtures.path("bad_codec_lzma.zarr")
        let file = try GriddedFiles.open(path)
        XCTAssertEqual(try file.variable("z").dataType, .float32, "the variable is still listed")
        XCTAssertThrowsError(try file.readDoubles("z")) {
            XCTAssertEqual($0 as? ZarrError, .unsupportedCodec(store: path, variable: "/z", codec: "lzma"))
            XCTAssertTrue("\($0)".contains("lzma") && "\($0)".contains(path) && "\($0)".contains("\"/z\""), "\($0)")
        }
        XCTAssertEqual(try file.readDoubles("t").count, 4 * 4 * 2 * 61 * 120, "other variables read")
        let delta = try ZarrFixtures.path("bad_filter_delta.zarr")
        XCTAssertThrowsError(try GriddedFiles.open(delta).readDoubles("t")) {
            XCTAssertEqual($0 as? ZarrError, .unsupportedCodec(store: delta, variable: "/t", codec: "filter delta"))
        }
    }

    func testBrokenMetadataJSONIsATypedError() throws {
        let cases: [(store: String, file: String, text: String)] = [
            ("era5_v2_zstd", "z/.zarray", "{\"shape\": [4, 4, "),
            ("era5_v2_zstd", "z/.zarray", "{\"zarr_format\": 2, \"shape\": [4], \"chunks\": [2, 2], \"dtype\": \"<f4\"}"),
            ("era5_v2_zstd", "z/.zattrs", "[1, 2]"),
            ("era5_v2_blosc_consolidated", ".zmetadata", "{\"metadata\": 3}"),
            ("era5_v3_zstd", "z/zarr.json", "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": \"big\"}"),
            ("era5_v3_zstd", "zarr.json", "not json"),
        ]
        for c in cases {
            let store = try ZarrFixtures.copy(c.store)
            defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: store).deletingLastPathComponent().path) }
            try Data(c.text.utf8).write(to: URL(fileURLWithPath: store + "/" + c.file))
            XCTAssertThrowsError(try GriddedFiles.open(store), "\(c.store) \(c.file)") { error in
                guard case .invalidMetadata(let s, let f, _)? = error as? ZarrError else {
                    return XCTFail("\(c.store) \(c.file): \(error)")
                }
                XCTAssertEqual(s, store)
                XCTAssertTrue(f.hasPrefix(c.file) || f.hasPrefix(".zmetadata"), "\(f) for \(c.file)")
            }
        }
    }

    func testCorruptChunksAreTypedErrors() throws {
        for (storeName, chunk) in [("era5_v2_zstd", "z/0.0.0.0.0"), ("era5_v2_blosc_consolidated", "z/1.1.0.0.0"),
                                   ("era5_v3_zstd", "z/c/0/0/0/0/0"), ("era5_v2_zlib_slash", "z/0/0/0/0/0"), ("era5_v2_raw", "z/0.0.0.0.0")] {
            let store = try ZarrFixtures.copy(storeName)
            defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: store).deletingLastPathComponent().path) }
            let url = URL(fileURLWithPath: store + "/" + chunk)
            let bytes = try Data(contentsOf: url)
            // An uncompressed chunk of the right length holds values whatever its bytes; only its length can be wrong.
            let garbage = storeName == "era5_v2_raw" ? [] : [Data(repeating: 0x5a, count: bytes.count)]
            for damaged in [bytes.prefix(bytes.count / 2), Data()] + garbage {
                try damaged.write(to: url)
                XCTAssertThrowsError(try GriddedFiles.open(store).readDoubles("z"), storeName) { error in
                    guard case .corruptChunk(let s, let v, _, _)? = error as? ZarrError else { return XCTFail("\(storeName): \(error)") }
                    XCTAssertEqual(s, store)
                    XCTAssertEqual(v, "/z")
                }
            }
        }
    }

    /// zarr-python's crc32c checksums verify; one flipped bit, in the data or in the checksum, is a typed error.
    func testCRC32CMismatchIsATypedErrorNamingStoreVariableAndChunk() throws {
        let store = try ZarrFixtures.copy("era5_v3_plane_chunks_crc32c")
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: store).deletingLastPathComponent().path) }
        let chunk = "c/2/1/0/0/0"
        let url = URL(fileURLWithPath: store + "/z/" + chunk)
        let bytes = [UInt8](try Data(contentsOf: url))
        let stored = bytes.suffix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        XCTAssertEqual(CRC32C.checksum(Array(bytes.dropLast(4))), stored, "zarr-python's checksum")
        for i in [bytes.count / 2, bytes.count - 1] {
            var damaged = bytes
            damaged[i] ^= 0x10
            try Data(damaged).write(to: url)
            for read in [{ _ = try GriddedFiles.open(store).readDoubles("z") },
                         { let _: Field<Float> = try GriddedFiles.open(store).readField("z") }] {
                XCTAssertThrowsError(try read()) { error in
                    guard case .checksumMismatch(let s, let v, let c, let got, let computed)? = error as? ZarrError else {
                        return XCTFail("\(error)")
                    }
                    XCTAssertEqual([s, v, c], [store, "/z", chunk])
                    XCTAssertNotEqual(got, computed)
                    XCTAssertTrue("\(error)".contains(store) && "\(error)".contains(chunk) && "\(error)".contains("crc32c"), "\(error)")
                }
            }
        }
        try Data(bytes).write(to: url)
        XCTAssertEqual(try GriddedFiles.open(store).readDoubles("z").count, 4 * 4 * 2 * 61 * 120)
    }

    /// A sharded store (v3 sharding_indexed, index at the end with its crc32c): inner chunks are the variable's chunks,
    /// shards are the files; a damaged shard index is a checksum error naming the shard and the inner chunk.
    func testShardedStoreListsInnerChunksAndChecksItsIndex() throws {
        let store = try ZarrFixtures.copy("era5_v3_sharded")
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: store).deletingLastPathComponent().path) }
        let file = try GriddedFiles.open(store)
        XCTAssertEqual(try file.variable("z").chunkShape, [1, 1, 1, 61, 120])
        XCTAssertEqual(try file.readDoubles("z").count, 4 * 4 * 2 * 61 * 120)
        let url = URL(fileURLWithPath: store + "/z/c/1/0/0/0/0")
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[bytes.count - 20] ^= 0x01  // inside the index, before its checksum
        try Data(bytes).write(to: url)
        XCTAssertThrowsError(try GriddedFiles.open(store).readDoubles("z")) { error in
            guard case .checksumMismatch(let s, let v, let c, _, _)? = error as? ZarrError else { return XCTFail("\(error)") }
            XCTAssertEqual([s, v], [store, "/z"])
            XCTAssertTrue(c.hasPrefix("c/1/0/0/0/0 (inner chunk 2,0,0,0,0)"), c)
        }
        XCTAssertEqual(try GriddedFiles.open(store).readDoubles("z", hyperslab: Hyperslab(start: [0, 0, 0, 0, 0], count: [2, 4, 2, 61, 120])).count,
                       2 * 4 * 2 * 61 * 120, "the other shard still reads")
    }

    func testContentNotExtensionMakesAZarrStore() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("plain").path
        try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: true)
        XCTAssertThrowsError(try GriddedFiles.open(plain)) { XCTAssertEqual($0 as? WXIOError, .notARegularFile(path: plain, kind: "a directory")) }
        let store = dir.appendingPathComponent("no-extension").path
        try HandWrittenStore.write(to: store)
        XCTAssertTrue(try GriddedFiles.open(store) is ZarrFile)
    }

    /// v2, int32 big-endian in Fortran order, fill_value 7, chunk (1, 1) missing: the values a plain loop expects.
    func testHandWrittenFortranOrderBigEndianStoreWithAMissingChunk() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("hand.zarr").path
        try HandWrittenStore.write(to: store)
        let file = try GriddedFiles.open(store)
        let v = try file.variable("v")
        XCTAssertEqual(v.dimensionNames, ["y", "x"])
        XCTAssertEqual(v.dataType, .int32)
        var expected: [Double] = []
        for i in 0..<HandWrittenStore.shape[0] { for j in 0..<HandWrittenStore.shape[1] {
            let missing = i / 2 == 1 && j / 3 == 1
            expected.append(missing ? .nan : Double(HandWrittenStore.value(i, j)))
        } }
        XCTAssertTrue(sameBits(try file.readDoubles("v"), expected))
        let noFill = try file.readDoubles("w")
        XCTAssertEqual(noFill.count, 15)
        for i in 0..<3 { for j in 0..<5 {
            let missing = i / 2 == 1 && j / 3 == 1
            XCTAssertEqual(noFill[i * 5 + j], missing ? 0 : Double(HandWrittenStore.value(i, j)), "fill_value null: a missing chunk is zeros")
        } }
        let slab = try file.readDoubles("v", hyperslab: Hyperslab(start: [1, 1], count: [2, 2], stride: [1, 3]))
        XCTAssertTrue(sameBits(slab, [expected[1 * 5 + 1], expected[1 * 5 + 4], expected[2 * 5 + 1], expected[2 * 5 + 4]]))
    }
}

/// A v2 store written byte by byte: `v` (y=3, x=5) int32 ">i4", order "F", chunks (2, 3), fill_value 7 (the _FillValue),
/// chunk 1.1 absent; `w` the same with fill_value null (no masking; the missing chunk reads as zeros).
enum HandWrittenStore {
    static let shape = [3, 5]
    static let chunks = [2, 3]
    static func value(_ i: Int, _ j: Int) -> Int32 { Int32(100 * i + j - 3) }

    static func write(to store: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: store + "/v", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: store + "/w", withIntermediateDirectories: true)
        try Data("{\"zarr_format\": 2}".utf8).write(to: URL(fileURLWithPath: store + "/.zgroup"))
        for (name, fill) in [("v", "7"), ("w", "null")] {
            let zarray = "{\"zarr_format\": 2, \"shape\": [3, 5], \"chunks\": [2, 3], \"dtype\": \">i4\", \"order\": \"F\", "
                + "\"fill_value\": \(fill), \"filters\": null, \"compressor\": null}"
            try Data(zarray.utf8).write(to: URL(fileURLWithPath: "\(store)/\(name)/.zarray"))
            try Data("{\"_ARRAY_DIMENSIONS\": [\"y\", \"x\"]}".utf8).write(to: URL(fileURLWithPath: "\(store)/\(name)/.zattrs"))
            for ci in 0..<2 { for cj in 0..<2 {
                var bytes = Data()
                for b in 0..<chunks[1] { for a in 0..<chunks[0] { // Fortran order: the first index varies fastest
                    let i = ci * 2 + a, j = cj * 3 + b
                    withUnsafeBytes(of: value(i, j).bigEndian) { bytes.append(contentsOf: $0) }
                } }
                if ci == 1 && cj == 1 { continue }
                try bytes.write(to: URL(fileURLWithPath: "\(store)/\(name)/\(ci).\(cj)"))
            } }
        }
    }
}

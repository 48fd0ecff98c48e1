import Foundation
import XCTest
import WXCore
import WXIO

/// Zarr v2 and v3 stores written by xarray + zarr read as xarray reads them: values bit for bit after CF decoding,
/// dimensions, coordinates, times and units; and the same fields as the NetCDF file they were made from.
final class ZarrReaderTests: XCTestCase {
    func testEveryLayoutEqualsXarray() throws {
        for store in ZarrFixtures.goldenStores {
            let path = try ZarrFixtures.path(store + ".zarr")
            let file = try GriddedFiles.open(path)
            XCTAssertTrue(file is ZarrFile, store)
            let golden = try ZarrFixtures.golden(store)
            XCTAssertTrue(file.formatName.hasPrefix("Zarr v\(golden["zarr_format"] as? Int ?? 0)"), "\(store): \(file.formatName)")
            XCTAssertEqual(file.formatName.contains("consolidated"), golden["consolidated"] as? Bool, store)
            let variables = try XCTUnwrap(golden["variables"] as? [String: [String: Any]])
            let coordinates = try XCTUnwrap(golden["coordinates"] as? [String: [String: Any]])
            XCTAssertFalse(variables.isEmpty)
            for (name, g) in variables {
                let expected = try ZarrFixtures.values(store, name)
                let got = try file.readDoubles(name)
                XCTAssertTrue(sameBits(got, expected), "\(store)/\(name): values differ from xarray's")
                let field: Field<Double> = try file.readField(name)
                XCTAssertEqual(field.dimensions.map(\.name), g["dims"] as? [String], "\(store)/\(name)")
                XCTAssertEqual(field.shape, g["shape"] as? [Int], "\(store)/\(name)")
                XCTAssertEqual(field.units, g["units"] as? String, "\(store)/\(name)")
                XCTAssertEqual(field.values.filter(\.isNaN).count, g["nan"] as? Int, "\(store)/\(name)")
                for (dim, c) in coordinates where field.dimensions.contains(where: { $0.name == dim }) {
                    let coord = try XCTUnwrap(field.coordinates[dim], "\(store)/\(name): no coordinate \(dim)")
                    XCTAssertTrue(sameBits(coord.values, try ZarrFixtures.doubles("\(store).coord.\(dim).f64")),
                                  "\(store)/\(name): coordinate \(dim) differs from xarray's")
                    XCTAssertEqual(coord.attributes["units"]?.stringValue, c["units"] as? String, "\(store)/\(dim) units")
                    if c["time"] as? Bool == true {
                        let seconds = try ZarrFixtures.doubles("\(store).seconds.\(dim).f64")
                        let units = try CFTimeUnits(units: try XCTUnwrap(coord.attributes["units"]?.stringValue),
                                                    calendar: coord.attributes["calendar"]?.stringValue)
                        XCTAssertEqual(coord.values.map(units.secondsSinceEpoch), seconds, "\(store)/\(dim): times differ from xarray's")
                    }
                }
            }
        }
    }

    func testZarrFieldsAreThoseOfTheNetCDFFileTheyWereMadeFrom() throws {
        let nc = try GriddedFiles.open(try SharedData.path("real/era5_eda_members_t_z_2017-01.nc"))
        for store in ["era5_v2_blosc_consolidated", "era5_v3_zstd", "era5_v2_gzip_bigendian"] {
            let zarr = try GriddedFiles.open(try ZarrFixtures.path(store + ".zarr"))
            for name in ["z", "t"] {
                let z: Field<Float> = try zarr.readField(name)
                let shape = try nc.variable(name).shape
                let slab = Hyperslab(start: shape.map { _ in 0 }, count: [4] + shape.dropFirst())
                let n: Field<Float> = try nc.readField(name, hyperslab: slab)
                XCTAssertEqual(z.dimensions, n.dimensions, "\(store)/\(name): dimensions and roles")
                XCTAssertEqual(z.dimensions.map(\.role), [.member, .time, .level, .latitude, .longitude], store)
                XCTAssertTrue(sameBits(z.values.map(Double.init), n.values.map(Double.init)), "\(store)/\(name)")
                for (dim, c) in n.coordinates {
                    XCTAssertEqual(z.coordinates[dim]?.values, c.values, "\(store)/\(name): coordinate \(dim)")
                    XCTAssertEqual(z.coordinates[dim]?.attributes["units"], c.attributes["units"], "\(store)/\(dim) units")
                }
                XCTAssertEqual(z.attributes["standard_name"], n.attributes["standard_name"])
            }
        }
    }

    func testHyperslabsAndPlanesAcrossEdgeChunksEqualThePlainSlice() throws {
        for store in ["truth_v2_chunked", "truth_v3_chunked", "truth_v2_missing_chunk"] {
            let file = try GriddedFiles.open(try ZarrFixtures.path(store + ".zarr"))
            let all = try ZarrFixtures.values(store, "z500")
            let shape = try file.variable("z500").shape
            XCTAssertEqual(shape, [20, 48, 96])
            XCTAssertEqual(try file.variable("z500").chunkShape, [7, 20, 40])
            for (start, count, stride) in [([3, 5, 7], [5, 9, 11], [3, 4, 7]), ([6, 19, 39], [2, 2, 2], [1, 1, 1]),
                                           ([0, 0, 0], [20, 48, 96], [1, 1, 1]), ([13, 47, 95], [1, 1, 1], [1, 1, 1])] {
                var expected: [Double] = []
                for i in 0..<count[0] { for j in 0..<count[1] { for k in 0..<count[2] {
                    expected.append(all[((start[0] + i * stride[0]) * 48 + start[1] + j * stride[1]) * 96 + start[2] + k * stride[2]])
                } } }
                let got = try file.readDoubles("z500", hyperslab: Hyperslab(start: start, count: count, stride: stride))
                XCTAssertTrue(sameBits(got, expected), "\(store): slab \(start) \(count) \(stride)")
            }
            let planes = try PlaneReader<Double>(file: file, variable: "z500")
            var buffer = [Double](repeating: 0, count: planes.planeSize)
            for p in [0, 6, 7, 19] {
                try buffer.withUnsafeMutableBufferPointer { try planes.read(plane: p, into: $0) }
                XCTAssertTrue(sameBits(buffer, Array(all[(p * 4608)..<((p + 1) * 4608)])), "\(store): plane \(p)")
            }
        }
    }

    /// Float reads decode float32 chunks in place in the output (whole planes) or through a chunk scratch (parts of
    /// planes, packed or chunked stores): the same bits as xarray either way, at one thread and at two.
    func testFloatReadsEqualXarrayWhicheverWayEachChunkIsDecoded() throws {
        for store in ZarrFixtures.goldenStores {
            let file = try GriddedFiles.open(try ZarrFixtures.path(store + ".zarr"))
            let variables = try XCTUnwrap(ZarrFixtures.golden(store)["variables"] as? [String: Any])
            for name in variables.keys.sorted() {
                let expected = try ZarrFixtures.values(store, name).map(Float.init)
                let shape = try file.variable(name).shape
                // a block of whole planes, and one cutting through planes
                let r = shape.count
                let planes = Hyperslab(start: shape.indices.map { $0 == 0 ? 1 : 0 }, count: shape.indices.map { $0 == 0 ? shape[0] - 1 : shape[$0] })
                let inner = Hyperslab(start: shape.indices.map { $0 == 0 ? 1 : ($0 >= r - 2 ? shape[$0] / 3 : 0) },
                                      count: shape.indices.map { $0 == 0 ? shape[0] - 1 : ($0 >= r - 2 ? shape[$0] / 2 : shape[$0]) })
                for slab in [planes, inner] {
                    let plain = rowMajorOffsets(shape: shape, slab: slab).map { expected[$0] }
                    for threads in [1, 2] {
                        let got: Field<Float> = try Parallel.withThreads(threads) { try file.readField(name, hyperslab: slab) }
                        XCTAssertTrue(sameBits(got.values.map(Double.init), plain.map(Double.init)),
                                      "\(store)/\(name): slab \(slab.start) \(slab.count) at \(threads) threads")
                    }
                }
                let whole: Field<Float> = try file.readField(name)
                XCTAssertTrue(sameBits(whole.values.map(Double.init), expected.map(Double.init)), "\(store)/\(name): whole")
            }
        }
    }

    /// A chunk that was never written holds the array's fill_value, as in zarr-python: xarray's v2 fill_value is the
    /// _FillValue, so the points are NaN; xarray's v3 arrays have fill_value 0 and the _FillValue in the attributes, so
    /// the points are the packed 0 unpacked (add_offset), as xarray gives them.
    func testMissingChunkIsTheFillValueAsInXarray() throws {
        let v2 = try GriddedFiles.open(try ZarrFixtures.path("truth_v2_missing_chunk.zarr"))
        let a = try v2.readDoubles("z500", hyperslab: Hyperslab(start: [7, 20, 40], count: [7, 20, 40]))
        XCTAssertTrue(a.allSatisfy(\.isNaN))
        XCTAssertFalse(try v2.readDoubles("z500", hyperslab: Hyperslab(start: [0, 0, 0], count: [7, 20, 40])).contains { $0.isNaN })
        let v3 = try GriddedFiles.open(try ZarrFixtures.path("truth_v3_missing_chunk.zarr"))
        let b = try v3.readDoubles("z500", hyperslab: Hyperslab(start: [7, 20, 40], count: [7, 20, 40]))
        XCTAssertEqual(Set(b), [48000])
        XCTAssertTrue(sameBits(try v3.readDoubles("z500"), try ZarrFixtures.values("truth_v3_missing_chunk", "z500")))
    }

    func testGroupsDimensionsAndAttributesAreListed() throws {
        let file = try GriddedFiles.open(try ZarrFixtures.path("era5_v3_zstd.zarr"))
        XCTAssertEqual(try file.groupPaths(), ["/"])
        let dims = Dictionary(uniqueKeysWithValues: try file.dimensions(inGroup: "/").map { ($0.name, $0.size) })
        XCTAssertEqual(dims, ["member": 4, "time": 4, "isobaricInhPa": 2, "latitude": 61, "longitude": 120])
        XCTAssertEqual(try file.attributes(ofGroup: "/")["Conventions"]?.stringValue, "CF-1.7")
        let z = try file.variable("/z")
        XCTAssertEqual(z.dataType, .float32)
        XCTAssertEqual(z.attributes["GRIB_paramId"], .integers([129]))
        XCTAssertNil(z.attributes["_ARRAY_DIMENSIONS"])
        let time = try XCTUnwrap(try file.coordinateVariable(forDimension: 1, of: z))
        XCTAssertEqual(time.attributes["calendar"]?.stringValue, "proleptic_gregorian")
        XCTAssertThrowsError(try file.variable("nope")) { XCTAssertEqual($0 as? WXIOError, .variableNotFound(path: file.path, variable: "nope")) }
    }
}

/// The row-major offsets of the points of `slab` in an array of `shape`, in slab order.
func rowMajorOffsets(shape: [Int], slab: Hyperslab) -> [Int] {
    var offsets = [0]
    for d in shape.indices {
        offsets = offsets.flatMap { o in (0..<slab.count[d]).map { o * shape[d] + slab.start[d] + $0 * slab.stride[d] } }
    }
    return offsets
}

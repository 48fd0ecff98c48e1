import Foundation
import XCTest
import WXCore
import WXIO

/// The GRIB reader against the NetCDF copy of the same ERA5 fields, with filters, several files, and bad input.
final class GRIBReaderTests: XCTestCase {
    func grib(_ name: String) throws -> String { try SharedData.path("grib/" + name) }

    func testERA5MembersEqualTheNetCDFCopyToPackingPrecision() throws {
        let g = try GriddedFiles.open(try grib("era5-levels-members.grib"))
        let n = try GriddedFiles.open(try SharedData.path("real/era5_eda_members_t_z_2017-01.nc"))
        XCTAssertTrue(g is GRIBFile)
        let messages = (g as! GRIBFile).messages
        for name in ["t", "z"] {
            let a: Field<Double> = try g.readField(name)
            let b: Field<Double> = try n.readField(name)
            XCTAssertEqual(a.shape, b.shape, name)
            XCTAssertEqual(a.dimensions.map(\.role), b.dimensions.map(\.role), name)
            XCTAssertEqual(a.units, b.units, name)
            XCTAssertEqual(a.longName, b.longName, name)
            XCTAssertEqual(a.standardName, b.standardName, name)
            XCTAssertEqual(a.coordinate(.member)?.values, b.coordinate(.member)?.values, name)
            XCTAssertEqual(a.coordinate(.level)?.values, b.coordinate(.level)?.values, name)
            XCTAssertEqual(a.grid?.latitudes, b.grid?.latitudes, name)
            XCTAssertEqual(a.grid?.longitudes, b.grid?.longitudes, name)
            let ta = try XCTUnwrap(a.coordinate(.time)), tb = try XCTUnwrap(b.coordinate(.time))
            let ua = try CFTimeUnits(units: ta.units!, calendar: ta.attributes["calendar"]?.stringValue)
            let ub = try CFTimeUnits(units: tb.units!, calendar: tb.attributes["calendar"]?.stringValue)
            XCTAssertEqual(try ta.values.map { try ua.date($0).iso8601 }, try tb.values.map { try ub.date($0).iso8601 }, name)
            // Simple packing rounds to 2^binaryScaleFactor; bitsPerValue over the field's range bounds that step.
            let bits = messages.filter { $0.variableName == name }.compactMap { $0.integer("bitsPerValue") }.min() ?? 16
            let finite = b.values.filter { !$0.isNaN }
            let step = (finite.max()! - finite.min()!) / Double(1 << bits)
            var worst = 0.0
            for (x, y) in zip(a.values, b.values) { worst = max(worst, abs(x - y)) }
            XCTAssertLessThanOrEqual(worst, step, "\(name): largest difference \(worst), packing step \(step)")
        }
    }

    func testFilesMixingLevelTypesGridsOrLevelSetsNameTheConflictingKeys() throws {
        let cases: [(String, String)] = [("t_on_different_level_types.grib", "typeOfLevel"),
                                         ("tp_on_different_grid_resolutions.grib", "numberOfPoints"),
                                         ("uv_on_different_levels.grib", "isobaricInhPa")]
        for (name, key) in cases {
            let p = try grib(name)
            XCTAssertThrowsError(try GriddedFiles.open(p), name) { e in
                guard case .notOneHypercube(let path, _, let keys, _)? = e as? GRIBError else { return XCTFail("\(name): \(e)") }
                XCTAssertEqual(path, p)
                XCTAssertTrue(keys.contains(key), "\(name): \(keys)")
            }
        }
        let f = try GriddedFiles.open(try grib("t_on_different_level_types.grib"), filter: ["typeOfLevel=hybrid"])
        XCTAssertEqual(f.formatName, "GRIB2")
        let v = try GriddedFiles.open(try grib("uv_on_different_levels.grib"), filter: ["shortName=v"])
        XCTAssertEqual(try v.variable("v").shape, [2, 3, 37, 72])
    }

    func testBadFiltersAreTypedErrors() throws {
        let p = try grib("regular_ll_sfc.grib")
        XCTAssertThrowsError(try GriddedFiles.open(p, filter: ["typeOfLevel"])) { e in
            guard case .invalidFilter? = e as? GRIBError else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try GriddedFiles.open(p, filter: ["typeOfLevel=hybrid"])) { e in
            guard case .invalidFilter(_, _, let d)? = e as? GRIBError else { return XCTFail("\(e)") }
            XCTAssertTrue(d.contains("surface"), d)
        }
        XCTAssertThrowsError(try GriddedFiles.open(try SharedData.path("real/hgt.nc"), filter: ["level=500"])) { e in
            guard case .invalidFilter? = e as? GRIBError else { return XCTFail("\(e)") }
        }
    }

    func testTruncatedAndDamagedGRIBAreTypedErrors() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = try Data(contentsOf: URL(fileURLWithPath: try grib("era5-levels-members.grib")))
        let first = try GRIBFile(path: try grib("era5-levels-members.grib")).messages[0].length
        for (label, bytes) in [("inside the first message", src.prefix(first / 2)), ("inside the second message", src.prefix(first + first / 3)),
                               ("after the indicator", src.prefix(8)), ("damaged length", { var d = src.prefix(2 * first); d[first + 4] ^= 0x55; return d }())] {
            let p = dir.appendingPathComponent("cut.grib").path
            try Data(bytes).write(to: URL(fileURLWithPath: p))
            XCTAssertThrowsError(try GriddedFiles.open(p), label) { e in
                guard case .truncatedOrCorrupt(let path, _)? = e as? WXIOError else { return XCTFail("\(label): \(e)") }
                XCTAssertEqual(path, p, label)
            }
        }
    }

    func testReaderIsPickedByContentAndSeveralFilesFormOneHypercube() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let srcPath = try grib("era5-levels-members.grib")
        let whole = try GRIBFile(path: srcPath)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: srcPath))
        // One file per member, as GEFS ships them, named .nc to show the content decides.
        var paths: [String] = []
        for member in 0..<10 {
            var d = Data()
            for m in whole.messages where m.number == member { d.append(bytes[m.offset..<(m.offset + m.length)]) }
            let p = dir.appendingPathComponent("member\(member).nc").path
            try d.write(to: URL(fileURLWithPath: p))
            paths.append(p)
        }
        XCTAssertTrue(try GriddedFiles.open(paths[3]) is GRIBFile)
        let joined = try GRIBFile(paths: paths.reversed())
        for name in ["t", "z"] {
            let a: Field<Float> = try whole.readField(name)
            let b: Field<Float> = try joined.readField(name)
            XCTAssertEqual(a.shape, b.shape)
            XCTAssertEqual(a.values, b.values, name)
            XCTAssertEqual(a.coordinates, b.coordinates, name)
        }
    }

    func testHyperslabsAndPlanesAgreeWithTheWholeField() throws {
        let f = try GRIBFile(path: try grib("multi_param_on_multi_dims.grib"))
        let whole: Field<Float> = try f.readField("u")
        let slab = Hyperslab(start: [1, 0, 3, 5], count: [2, 2, 4, 3], stride: [2, 3, 5, 7])
        let part: Field<Float> = try f.readField("u", hyperslab: slab)
        let shape = whole.shape
        var k = 0
        for i in 0..<2 { for j in 0..<2 { for r in 0..<4 { for c in 0..<3 {
            let idx = [1 + 2 * i, 3 * j, 3 + 5 * r, 5 + 7 * c]
            let off = ((idx[0] * shape[1] + idx[1]) * shape[2] + idx[2]) * shape[3] + idx[3]
            XCTAssertEqual(part.values[k], whole.values[off]); k += 1
        } } } }
        XCTAssertEqual(part.coordinate(.latitude)?.values, (0..<4).map { whole.coordinate(.latitude)!.values[3 + 5 * $0] })
    }
}

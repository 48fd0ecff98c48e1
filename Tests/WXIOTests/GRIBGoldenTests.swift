import Foundation
import XCTest
import WXCore
import WXIO

/// Every file of ../shared/data/grib read by `GRIBFile` against cfgrib + xarray (scripts/golden/make_grib_golden.py):
/// dimensions, coordinates, attributes, and per variable the NaN count, sum, a CRC-32 of the float32 bits and
/// sample values; unsupported grids and the corrupted file are typed refusals.
final class GRIBGoldenTests: XCTestCase {
    static let golden: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/grib_golden.json")
        guard let data = try? Data(contentsOf: url),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return obj
    }()

    func files() throws -> [String: [String: [String: Any]]] {
        guard let files = Self.golden["files"] as? [String: [String: [String: Any]]], !files.isEmpty else {
            XCTFail("Golden/grib_golden.json missing or unreadable"); return [:]
        }
        return files
    }

    func testEveryGRIBFileMatchesCfgrib() throws {
        for (name, byFilter) in try files().sorted(by: { $0.key < $1.key }) {
            let path = try SharedData.path("grib/" + name)
            for (filterText, g) in byFilter.sorted(by: { $0.key < $1.key }) {
                let filter = try GRIBFilter(parsing: filterText.isEmpty ? [] : filterText.split(separator: ",").map(String.init), path: path)
                let what = filterText.isEmpty ? name : "\(name) [\(filterText)]"
                if let error = g["error"] as? String {
                    XCTAssertThrowsError(try GRIBFile(path: path, filter: filter), "\(what): cfgrib fails with \(error)") { e in
                        guard case .truncatedOrCorrupt(let p, _)? = e as? WXIOError else { return XCTFail("\(what): \(e)") }
                        XCTAssertEqual(p, path)
                    }
                    continue
                }
                let file = try GRIBFile(path: path, filter: filter)
                try check(file, g, what)
            }
        }
    }

    func check(_ file: GRIBFile, _ g: [String: Any], _ what: String) throws {
        let dims = g["dims"] as! [String: Int]
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: try file.dimensions(inGroup: "/").map { ($0.name, $0.size) }), dims, what)
        try checkAttributes(try file.attributes(ofGroup: "/"), g["attrs"] as! [String: Any], "\(what) global")
        let coords = g["coords"] as! [String: [String: Any]]
        for (cname, c) in coords {
            let v: VariableInfo
            do { v = try file.variable(cname) } catch {
                // cfgrib's 2-D latitude/longitude of projected and reduced grids are not presented (those grids are refused).
                XCTAssertTrue(["latitude", "longitude"].contains(cname), "\(what): coordinate \(cname) missing"); continue
            }
            XCTAssertEqual(v.dimensionNames, c["dims"] as? [String], "\(what) \(cname) dims")
            let values = try file.readDoubles(cname)
            XCTAssertEqual(values.count, c["count"] as? Int, "\(what) \(cname) count")
            if let want = c["values"] as? [Double] {
                XCTAssertEqual(values.count, want.count, "\(what) \(cname)")
                for (a, b) in zip(values, want) where abs(a - b) > 1e-9 * max(1, abs(b)) {
                    XCTFail("\(what) \(cname): \(values.prefix(8)) vs \(want.prefix(8))"); break
                }
            } else {
                XCTAssertEqual(values.first, c["first"] as? Double, "\(what) \(cname) first")
                XCTAssertEqual(values.last, c["last"] as? Double, "\(what) \(cname) last")
            }
            var attrs = c["attrs"] as! [String: Any]
            if ["time", "valid_time"].contains(cname) {
                XCTAssertEqual(v.attributes["units"]?.stringValue, "seconds since 1970-01-01T00:00:00", "\(what) \(cname) units")
            }
            if cname == "step" { XCTAssertEqual(v.attributes["units"]?.stringValue, "hours", "\(what) step units") }
            attrs["dtype"] = nil
            try checkAttributes(v.attributes, attrs, "\(what) \(cname)")
        }
        let vars = g["variables"] as! [String: [String: Any]]
        let listed = try file.allVariables()
        XCTAssertEqual(Set(listed.map(\.name)), Set(vars.keys).union(coords.keys.filter { n in listed.contains { $0.name == n } }), what)
        for (vname, e) in vars {
            let v = try file.variable(vname)
            XCTAssertEqual(v.dimensionNames, e["dims"] as? [String], "\(what) \(vname) dims")
            XCTAssertEqual(v.shape, e["shape"] as? [Int], "\(what) \(vname) shape")
            try checkAttributes(v.attributes, e["attrs"] as! [String: Any], "\(what) \(vname)")
            let gridType = v.attributes["GRIB_gridType"]?.stringValue ?? ""
            if !["regular_ll", "regular_gg"].contains(gridType) {
                XCTAssertThrowsError(try file.readField(vname, as: Float.self), "\(what) \(vname)") { err in
                    XCTAssertEqual(err as? GRIBError, .unsupportedGrid(path: file.path, variable: vname, gridType: gridType), "\(what)")
                }
                continue
            }
            try checkValues(file, vname, e, "\(what) \(vname)")
        }
    }

    /// Streams the variable one 2-D field at a time (the NCEP sparse cube is 119 M points) and compares with the golden entry.
    func checkValues(_ file: GRIBFile, _ name: String, _ e: [String: Any], _ what: String) throws {
        let r = try PlaneReader<Float>(file: file, variable: name)
        var plane = [Float](repeating: 0, count: r.planeSize)
        var samples: [Int: Double?] = [:]
        for s in e["samples"] as! [[Any]] { samples[s[0] as! Int] = (s[1] as? NSNumber)?.doubleValue }
        var crc = CRC32()
        var nan = 0
        var sum = 0.0
        for k in 0..<r.planeCount {
            try plane.withUnsafeMutableBufferPointer { try r.read(plane: k, into: $0) }
            for (j, x) in plane.enumerated() {
                if x.isNaN { nan += 1 } else { sum += Double(x) }
                crc.add(x)
                if let want = samples[k * r.planeSize + j] {
                    if let w = want { XCTAssertEqual(x, Float(w), "\(what) value \(k * r.planeSize + j)") } else { XCTAssertTrue(x.isNaN, "\(what) value \(k * r.planeSize + j) should be missing") }
                }
            }
        }
        XCTAssertEqual(nan, e["nan_count"] as? Int, "\(what) NaN count")
        let want = (e["sum"] as! NSNumber).doubleValue
        XCTAssertLessThanOrEqual(abs(sum - want), 1e-9 * max(1, abs(want)), "\(what) sum \(sum) vs \(want)")
        XCTAssertEqual(crc.hex, e["crc32"] as? String, "\(what) CRC-32 of the float32 bits")
    }

    func checkAttributes(_ got: Attributes, _ want: [String: Any], _ what: String) throws {
        for (k, w) in want {
            guard let a = got[k] else { XCTFail("\(what): attribute \(k) missing"); continue }
            if let s = w as? String {
                XCTAssertEqual(a.stringValue, s, "\(what): \(k)")
            } else if let list = w as? [NSNumber] {
                XCTAssertEqual(a.doubleValues, list.map(\.doubleValue), "\(what): \(k)")
            } else if let n = w as? NSNumber {
                guard let d = a.doubleValue else { XCTFail("\(what): \(k) is \(a), want \(n)"); continue }
                XCTAssertEqual(d, n.doubleValue, accuracy: 1e-9 * max(1, abs(n.doubleValue)), "\(what): \(k)")
            }
        }
    }
}

/// zlib's CRC-32 of little-endian float32 bits, NaN as 0x7fc00000 (as make_grib_golden.py computes it).
struct CRC32 {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xedb8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
    private var crc: UInt32 = 0xffff_ffff

    mutating func add(_ x: Float) {
        var bits = x.isNaN ? 0x7fc0_0000 : x.bitPattern
        for _ in 0..<4 {
            crc = CRC32.table[Int((crc ^ bits) & 0xff)] ^ (crc >> 8)
            bits >>= 8
        }
    }

    var hex: String { String(format: "%08x", crc ^ 0xffff_ffff) }
}

import Foundation
import XCTest
import WXCore
import WXIO

/// Every variable of every shared data file read by wxens against netCDF4-python / h5py (Golden/make_golden.py).
final class ReaderGoldenTests: XCTestCase {
    static let golden: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/reader_golden.json")
        guard let data = try? Data(contentsOf: url),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return obj
    }()

    static func number(_ x: Any?) -> Double? {
        if let d = x as? Double { return d }
        if let n = x as? NSNumber { return n.doubleValue }
        switch x as? String {
        case "nan": return .nan
        case "inf": return .infinity
        case "-inf": return -.infinity
        default: return nil
        }
    }

    func assertClose(_ a: Double, _ b: Double, rel: Double, _ what: @autoclosure () -> String,
                     file: StaticString = #filePath, line: UInt = #line) {
        if a.isNaN || b.isNaN { XCTAssertTrue(a.isNaN && b.isNaN, "\(what()): \(a) vs \(b)", file: file, line: line); return }
        XCTAssertLessThanOrEqual(abs(a - b), rel * max(abs(a), abs(b), 1e-300), "\(what()): \(a) vs \(b)", file: file, line: line)
    }

    func files() throws -> [String: [String: Any]] {
        guard let files = Self.golden["files"] as? [String: [String: Any]], !files.isEmpty else {
            XCTFail("Golden/reader_golden.json missing or unreadable"); return [:]
        }
        return files
    }

    func testEveryFileMatchesGolden() throws {
        for (name, g) in try files().sorted(by: { $0.key < $1.key }) {
            let path = try SharedData.path(name)
            let file = try GriddedFiles.open(path)
            let isHDF5 = name.hasSuffix(".h5") || name.hasSuffix(".he5")
            XCTAssertEqual(try file.groupPaths(), g["groups"] as? [String], name)
            for (gp, attrs) in (g["group_attributes"] as? [String: [String: Any]]) ?? [:] {
                try checkAttributes(try file.attributes(ofGroup: gp), attrs, "\(name) group \(gp)")
            }
            let vars = g["variables"] as! [String: [String: Any]]
            let listed = try file.allVariables()
            XCTAssertEqual(Set(listed.map(\.path)), Set(vars.keys), name)
            for (vp, e) in vars {
                try checkVariable(file, vp, e, "\(name) \(vp)", checkDims: !isHDF5)
            }
        }
    }

    func checkAttributes(_ got: Attributes, _ want: [String: Any], _ what: String) throws {
        for (k, w) in want {
            guard let a = got[k] else { XCTFail("\(what): attribute \(k) missing"); continue }
            let w = w as! [String: Any]
            if let t = w["text"] as? String {
                XCTAssertEqual(a.stringValue.map { String($0.prefix(200)) }, t, "\(what) attribute \(k)")
            } else if let ts = w["texts"] as? [String] {
                if case .strings(let s) = a { XCTAssertEqual(s.map { String($0.prefix(200)) }, ts, "\(what) attribute \(k)") }
                else { XCTAssertEqual(ts.count, 1, "\(what) attribute \(k)"); XCTAssertEqual(a.stringValue.map { String($0.prefix(200)) }, ts.first) }
            } else if let ns = w["numbers"] as? [Any] {
                let vals = a.doubleValues ?? []
                XCTAssertEqual(vals.count, ns.count, "\(what) attribute \(k)")
                for (x, y) in zip(vals, ns) { assertClose(x, Self.number(y)!, rel: 1e-15, "\(what) attribute \(k)") }
            }
        }
    }

    func checkVariable(_ file: GriddedFile, _ vp: String, _ e: [String: Any], _ what: String, checkDims: Bool) throws {
        let v = try file.variable(vp)
        XCTAssertEqual(v.shape, e["shape"] as? [Int], what)
        XCTAssertEqual(v.dataType.rawValue, e["dtype"] as? String, what)
        if checkDims { XCTAssertEqual(v.dimensionNames, e["dims"] as? [String], what) }
        try checkAttributes(v.attributes, e["attributes"] as? [String: Any] ?? [:], what)
        guard v.dataType.isNumeric else {
            XCTAssertThrowsError(try file.readField(vp, as: Double.self) as Field<Double>, what) { err in
                guard case WXIOError.unsupportedType = err else { return XCTFail("\(what): \(err)") }
            }
            return
        }
        let isFloat32 = v.dataType == .float32
        if let s = e["stats"] as? [String: Any] {
            let f: Field<Double> = try file.readField(vp)
            checkStats(f.values, s, what)
            let ff: Field<Float> = try file.readField(vp)
            for p in e["probes"] as! [[String: Any]] {
                let idx = p["index"] as! [Int]
                var o = 0
                for (i, n) in zip(idx, v.shape) { o = o * n + i }
                let want = Self.number(p["value"])!
                assertClose(f.values[o], want, rel: 1e-12, "\(what) probe \(idx)")
                assertClose(Double(ff.values[o]), Double(Float(want)), rel: isFloat32 ? 0 : 1e-6, "\(what) probe \(idx) as Float")
            }
        }
        for p in e["planes"] as? [[String: Any]] ?? [] {
            let slab = Hyperslab(start: p["start"] as! [Int], count: p["count"] as! [Int])
            let f: Field<Double> = try file.readField(vp, hyperslab: slab)
            checkStats(f.values, p["stats"] as! [String: Any], "\(what) plane \(slab.start)")
        }
        if let s = e["slab"] as? [String: Any] {
            let slab = Hyperslab(start: s["start"] as! [Int], count: s["count"] as! [Int], stride: s["stride"] as? [Int])
            let f: Field<Double> = try file.readField(vp, hyperslab: slab)
            let ff: Field<Float> = try file.readField(vp, hyperslab: slab)
            let want = (s["values"] as! [Any]).map { Self.number($0)! }
            XCTAssertEqual(f.values.count, want.count, what)
            XCTAssertEqual(f.shape, slab.count, what)
            for (i, (x, y)) in zip(f.values, want).enumerated() {
                assertClose(x, y, rel: 1e-12, "\(what) slab[\(i)]")
                assertClose(Double(ff.values[i]), y, rel: 1e-6, "\(what) slab[\(i)] as Float")
            }
        }
        if let edges = e["coordinate_edges"] as? [Any] {
            let vals = try file.readDoubles(vp)
            let k = edges.count > 3 && vals.count > 3 ? 3 : edges.count
            let got = Array(vals.prefix(k)) + (edges.count > k ? Array(vals.suffix(edges.count - k)) : [])
            for (x, y) in zip(got, edges) { assertClose(x, Self.number(y)!, rel: 1e-12, "\(what) coordinate") }
        }
        if let t = e["times"] as? [String: Any] {
            let units = v.attributes["units"]?.stringValue ?? ""
            let calendar = v.attributes["calendar"]?.stringValue
            if t["error"] != nil {
                XCTAssertThrowsError(try CFTimeUnits(units: units, calendar: calendar), "\(what): \(units) should not decode")
            } else {
                let u = try CFTimeUnits(units: units, calendar: calendar)
                let vals = try file.readDoubles(vp)
                for (i, iso) in zip(t["indices"] as! [Int], t["iso"] as! [Any]) {
                    if let iso = iso as? String {
                        XCTAssertEqual(try u.date(vals[i]).iso8601, iso, "\(what) time[\(i)]")
                    } else {
                        XCTAssertTrue(vals[i].isNaN, "\(what) time[\(i)] should be missing")
                    }
                }
            }
        }
    }

    func checkStats(_ values: [Double], _ s: [String: Any], _ what: String) {
        XCTAssertEqual(values.count, s["count"] as? Int, what)
        XCTAssertEqual(values.filter(\.isNaN).count, s["nan_count"] as? Int, "\(what) NaN count")
        let finite = values.filter { !$0.isNaN }
        // The golden sum is exact (math.fsum); a naive sum is within n * eps * sum|x| of it.
        var sum = 0.0, mag = 0.0
        for x in finite { sum += x; mag += abs(x) }
        let want = Self.number(s["sum"])!
        XCTAssertLessThanOrEqual(abs(sum - want), Double(max(finite.count, 1)) * 1.2e-16 * mag,
                                 "\(what) sum \(sum) vs \(want)")
        if let mn = finite.min(), let mx = finite.max() {
            assertClose(mn, Self.number(s["min"])!, rel: 1e-12, "\(what) min")
            assertClose(mx, Self.number(s["max"])!, rel: 1e-12, "\(what) max")
        }
    }
}

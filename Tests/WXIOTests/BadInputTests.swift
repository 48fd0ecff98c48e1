import Foundation
import XCTest
import WXCore
import WXIO

/// Bad files and bad requests give typed errors naming the file and variable, never a crash.
final class BadInputTests: XCTestCase {
    func testMissingFile() {
        XCTAssertThrowsError(try NetCDFFile(path: "/nonexistent/wxens/none.nc")) { e in
            XCTAssertEqual(e as? WXIOError, .fileNotFound(path: "/nonexistent/wxens/none.nc"))
            XCTAssertTrue("\(e)".contains("/nonexistent/wxens/none.nc"))
        }
        XCTAssertThrowsError(try HDF5File(path: "/nonexistent/wxens/none.h5")) { e in
            XCTAssertEqual(e as? WXIOError, .fileNotFound(path: "/nonexistent/wxens/none.h5"))
        }
    }

    func testTextFileNamedNC() throws {
        let dir = try TestFiles.directory()
        let p = dir.appendingPathComponent("notes.nc").path
        try "this is not a netCDF file, just some text\n".write(toFile: p, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try NetCDFFile(path: p)) { e in XCTAssertEqual(e as? WXIOError, .notNetCDFOrHDF5(path: p)) }
        XCTAssertThrowsError(try HDF5File(path: p)) { e in XCTAssertEqual(e as? WXIOError, .notNetCDFOrHDF5(path: p)) }
        XCTAssertThrowsError(try GriddedFiles.open(p)) { e in XCTAssertEqual(e as? WXIOError, .notNetCDFOrHDF5(path: p)) }
    }

    func testTruncatedNetCDF4() throws {
        let dir = try TestFiles.directory()
        let p = try TestFiles.make(TestFiles.rampCDL(nt: 20), kind: "nc4", name: "ramp4.nc", in: dir)
        XCTAssertNoThrow(try NetCDFFile(path: p))
        try TestFiles.truncate(p, to: 0.5)
        XCTAssertThrowsError(try readAll(p)) { e in
            guard case WXIOError.truncatedOrCorrupt(let path, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(path, p)
        }
    }

    func testTruncatedClassic() throws {
        let dir = try TestFiles.directory()
        let p = try TestFiles.make(TestFiles.rampCDL(nt: 20), kind: "classic", name: "ramp3.nc", in: dir)
        XCTAssertEqual(try readAll(p), 20 * 30 * 40)
        try TestFiles.truncate(p, to: 0.5)
        XCTAssertThrowsError(try readAll(p)) { e in
            guard case WXIOError.truncatedOrCorrupt(let path, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(path, p)
        }
    }

    func testCorruptHeader() throws {
        let dir = try TestFiles.directory()
        for kind in ["classic", "nc4"] {
            let p = try TestFiles.make(TestFiles.rampCDL(), kind: kind, name: "bad-\(kind).nc", in: dir)
            var data = try Data(contentsOf: URL(fileURLWithPath: p))
            // keep the format signature ("CDF\u{1}" / the 8-byte HDF5 one), scramble what follows
            for i in (kind == "classic" ? 4 : 8)..<min(200, data.count) { data[i] = 0xA5 }
            try data.write(to: URL(fileURLWithPath: p))
            XCTAssertThrowsError(try readAll(p), kind) { e in
                guard case WXIOError.truncatedOrCorrupt(let path, _) = e else { return XCTFail("\(kind): \(e)") }
                XCTAssertEqual(path, p)
            }
        }
    }

    func testMissingVariableAndGroup() throws {
        let dir = try TestFiles.directory()
        let p = try TestFiles.make(TestFiles.rampCDL(), kind: "nc4", name: "ramp.nc", in: dir)
        let f = try NetCDFFile(path: p)
        XCTAssertThrowsError(try f.readField("t2m", as: Float.self) as Field<Float>) { e in
            XCTAssertEqual(e as? WXIOError, .variableNotFound(path: p, variable: "t2m"))
            XCTAssertTrue("\(e)".contains("t2m") && "\(e)".contains(p))
        }
        XCTAssertThrowsError(try f.variables(inGroup: "/forecast")) { e in
            XCTAssertEqual(e as? WXIOError, .groupNotFound(path: p, group: "/forecast"))
        }
        XCTAssertThrowsError(try f.variable("/forecast/t"))
    }

    func testHyperslabOutsideShape() throws {
        let dir = try TestFiles.directory()
        let p = try TestFiles.make(TestFiles.rampCDL(), kind: "classic", name: "ramp.nc", in: dir)
        let f = try NetCDFFile(path: p)
        let bad = [Hyperslab(start: [0, 0, 0], count: [5, 30, 40]),               // past the end
                   Hyperslab(start: [0, 0, 0], count: [2, 10, 10], stride: [1, 1, 5]), // stride walks off
                   Hyperslab(start: [-1, 0, 0], count: [1, 1, 1]),
                   Hyperslab(start: [0, 0], count: [1, 1])]                           // wrong rank
        for s in bad {
            XCTAssertThrowsError(try f.readField("t", as: Float.self, hyperslab: s) as Field<Float>, "\(s)") { e in
                guard case WXIOError.hyperslabOutOfBounds(let path, let v, _) = e else { return XCTFail("\(e)") }
                XCTAssertEqual(path, p); XCTAssertEqual(v, "/t")
            }
        }
        // and a good strided one reads the right ramp values
        let ok: Field<Float> = try f.readField("t", hyperslab: Hyperslab(start: [1, 2, 3], count: [2, 2, 3], stride: [2, 5, 7]))
        var want: [Float] = []
        for t in [1, 3] { for y in [2, 7] { for x in [3, 10, 17] { want.append(Float((t * 30 + y) * 40 + x) * 0.25) } } }
        XCTAssertEqual(ok.values, want)
        XCTAssertEqual(ok.coordinates["lat"]?.values, [-75, -45])
        XCTAssertEqual(ok.coordinates["time"]?.values, [6, 18])
        XCTAssertEqual(ok.dimensions.map(\.role), [.time, .latitude, .longitude])
    }

    func testStringVariableIsUnsupported() throws {
        let dir = try TestFiles.directory()
        let cdl = """
        netcdf s {
        dimensions: n = 2 ;
        variables: string names(n) ; char code(n) ;
        data: names = "alpha", "beta" ; code = "ab" ;
        }
        """
        let p = try TestFiles.make(cdl, kind: "nc4", name: "strings.nc", in: dir)
        let f = try NetCDFFile(path: p)
        XCTAssertEqual(try f.variable("names").dataType, .string)
        XCTAssertThrowsError(try f.readField("names", as: Double.self) as Field<Double>) { e in
            XCTAssertEqual(e as? WXIOError, .unsupportedType(path: p, variable: "/names", type: "string"))
        }
        XCTAssertThrowsError(try PlaneReader<Float>(file: f, variable: "code")) { e in
            XCTAssertEqual(e as? WXIOError, .unsupportedType(path: p, variable: "/code", type: "char"))
        }
    }

    func testPlaneReaderBufferTooSmall() throws {
        let dir = try TestFiles.directory()
        let p = try TestFiles.make(TestFiles.rampCDL(), kind: "nc4", name: "ramp.nc", in: dir)
        let r = try PlaneReader<Float>(file: try NetCDFFile(path: p), variable: "t")
        var small = [Float](repeating: 0, count: 10)
        XCTAssertThrowsError(try small.withUnsafeMutableBufferPointer { try r.read(plane: 0, into: $0) })
        var buf = [Float](repeating: 0, count: r.planeSize)
        XCTAssertThrowsError(try buf.withUnsafeMutableBufferPointer { try r.read(plane: 4, into: $0) })
        try buf.withUnsafeMutableBufferPointer { try r.read(plane: 3, into: $0) }
        XCTAssertEqual(buf[0], Float(3 * 1200) * 0.25)
        XCTAssertEqual(buf[1199], Float(4 * 1200 - 1) * 0.25)
    }

    /// Opens a file and reads every numeric variable; returns the number of values of `t`.
    func readAll(_ p: String) throws -> Int {
        let f = try GriddedFiles.open(p)
        var n = 0
        for v in try f.allVariables() where v.dataType.isNumeric {
            let field: Field<Float> = try f.readField(v.path)
            if v.name == "t" { n = field.values.count }
        }
        return n
    }
}

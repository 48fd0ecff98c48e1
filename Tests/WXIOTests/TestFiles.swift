import Foundation
import XCTest

/// Small NetCDF files made for a test with `ncgen` (netcdf-bin) in a fresh temporary directory.
enum TestFiles {
    /// A new empty temporary directory.
    static func directory() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    static var ncgen: String? {
        for p in ["/usr/bin/ncgen", "/usr/local/bin/ncgen"] where FileManager.default.isExecutableFile(atPath: p) { return p }
        return nil
    }

    /// Writes `cdl` with ncgen in `kind` ("classic", "nc4", ...) to `dir/name`, or skips without ncgen.
    static func make(_ cdl: String, kind: String, name: String, in dir: URL) throws -> String {
        guard let ncgen else { throw XCTSkip("ncgen (Debian netcdf-bin) not installed") }
        let cdlURL = dir.appendingPathComponent(name + ".cdl")
        try cdl.write(to: cdlURL, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent(name).path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ncgen)
        p.arguments = ["-k", kind, "-o", out, cdlURL.path]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw NSError(domain: "ncgen", code: Int(p.terminationStatus)) }
        return out
    }

    /// A CDL text with a float variable `t(time, lat, lon)` filled with a ramp.
    static func rampCDL(nt: Int = 4, ny: Int = 30, nx: Int = 40) -> String {
        let n = nt * ny * nx
        let data = (0..<n).map { String(Float($0) * 0.25) }.joined(separator: ", ")
        let lats = (0..<ny).map { String(-87.0 + 6.0 * Double($0)) }.joined(separator: ", ")
        let lons = (0..<nx).map { String(9.0 * Double($0)) }.joined(separator: ", ")
        return """
        netcdf ramp {
        dimensions: time = \(nt) ; lat = \(ny) ; lon = \(nx) ;
        variables:
          double time(time) ; time:units = "hours since 2000-01-01 00:00:00" ;
          float lat(lat) ; lat:units = "degrees_north" ;
          float lon(lon) ; lon:units = "degrees_east" ;
          float t(time, lat, lon) ; t:units = "K" ;
        data:
          time = \((0..<nt).map { String(6 * $0) }.joined(separator: ", ")) ;
          lat = \(lats) ;
          lon = \(lons) ;
          t = \(data) ;
        }
        """
    }

    /// Keeps only the first `fraction` of a file's bytes.
    static func truncate(_ path: String, to fraction: Double) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(Int(Double(data.count) * fraction)).write(to: URL(fileURLWithPath: path))
    }
}

import Foundation
import XCTest
import WXCore
import WXIO
import WXPipelines

/// `wxens verify` on a GRIB forecast (the UK Met Office seasonal ensemble of ../shared/data/grib) against a NetCDF truth
/// gives the same scores as on a NetCDF copy of that forecast. The copy and the truth are written here: no NetCDF file
/// in the shared data holds these fields in cfgrib's (number, time, step) layout, nor a truth at their valid times.
final class VerifyGRIBTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-verify-grib-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func sharedGRIB(_ name: String) throws -> String {
        let p = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data/grib/\(name)").path
        guard FileManager.default.fileExists(atPath: p) else { throw XCTSkip("shared GRIB data not found at \(p) (../shared beside the repository root)") }
        return p
    }

    func testGRIBForecastScoresEqualThoseOfItsNetCDFCopy() throws {
        let grib = try sharedGRIB("forecast_monthly_ukmo.grib")
        let field: Field<Float> = try GriddedFiles.open(grib).readField("t2m")
        XCTAssertEqual(field.dimensions.map(\.role), [.member, .initTime, .leadTime, .latitude, .longitude],
                       "cfgrib's time beside step is the init time")
        let copy = dir.appendingPathComponent("forecast.nc").path
        try writeCopy(field, to: copy)
        let truth = dir.appendingPathComponent("truth.nc").path
        try writeTruth(for: field, to: truth)

        let options = VerifyOptions(forecastPath: grib, truthPath: truth, nanPolicy: .omit, writeFigures: false)
        let fromGRIB = try VerifyWorkflow.run(options, forecast: try NetCDFVerifySource(path: grib), truth: try NetCDFVerifySource(path: truth))
        let fromNetCDF = try VerifyWorkflow.run(options, forecast: try NetCDFVerifySource(path: copy), truth: try NetCDFVerifySource(path: truth))
        XCTAssertEqual(fromGRIB.rows.count, fromNetCDF.rows.count)
        XCTAssertGreaterThan(fromGRIB.rows.filter { $0.metric == "crps" && !$0.value.isNaN }.count, 0, "some leads have forecasts")
        for (a, b) in zip(fromGRIB.rows, fromNetCDF.rows) {
            XCTAssertEqual(a.metric, b.metric)
            XCTAssertEqual(a.leadTimeHours, b.leadTimeHours)
            XCTAssertTrue(a.value == b.value || (a.value.isNaN && b.value.isNaN), "\(a.metric) at \(a.leadTimeHours) h: \(a.value) vs \(b.value)")
        }
    }

    /// `--forecast-filter`/`--truth-filter` reach the GRIB reader: a filter every message matches changes no score, one that
    /// matches none, or one given for a NetCDF file, is the typed filter error (a usage error, exit 64).
    func testVerifyFiltersSelectGRIBMessages() throws {
        let grib = try sharedGRIB("forecast_monthly_ukmo.grib")
        let field: Field<Float> = try GriddedFiles.open(grib).readField("t2m")
        let truth = dir.appendingPathComponent("truth.nc").path
        try writeTruth(for: field, to: truth)
        let plain = try VerifyOutputs.verify(VerifyOptions(forecastPath: grib, truthPath: truth, nanPolicy: .omit, writeFigures: false))
        let filtered = try VerifyOutputs.verify(VerifyOptions(forecastPath: grib, truthPath: truth, nanPolicy: .omit, writeFigures: false,
                                                              forecastFilter: ["typeOfLevel=surface", "shortName=2t"]))
        XCTAssertGreaterThan(plain.rows.count, 0)
        XCTAssertEqual(plain.rows.map(\.metric), filtered.rows.map(\.metric))
        for (a, b) in zip(plain.rows, filtered.rows) {
            XCTAssertTrue(a.value == b.value || (a.value.isNaN && b.value.isNaN), "\(a.metric) at \(a.leadTimeHours) h")
        }
        XCTAssertThrowsError(try VerifyOutputs.verify(VerifyOptions(forecastPath: grib, truthPath: truth, writeFigures: false,
                                                                    forecastFilter: ["typeOfLevel=isobaricInhPa"]))) { e in
            guard case .invalidFilter(let p, let f, let detail)? = e as? GRIBError else { return XCTFail("\(e)") }
            XCTAssertEqual([p, f], [grib, "typeOfLevel=isobaricInhPa"])
            XCTAssertTrue(detail.contains("no message matches") && detail.contains("surface"), detail)
        }
        XCTAssertThrowsError(try VerifyOutputs.verify(VerifyOptions(forecastPath: grib, truthPath: truth, writeFigures: false,
                                                                    truthFilter: ["level=0"]))) { e in
            guard case .invalidFilter(let p, _, let detail)? = e as? GRIBError else { return XCTFail("\(e)") }
            XCTAssertEqual(p, truth)
            XCTAssertTrue(detail.contains("not a GRIB file"), detail)
        }
    }

    /// `wxens climatology --filter`: one member and one level of the ERA5 GRIB file are a (time, latitude, longitude)
    /// truth whose climatology is that of the same fields read directly.
    func testClimatologyFilterSelectsOneMemberAndLevel() throws {
        let grib = try sharedGRIB("era5-levels-members.grib")
        let filter = ["number=0", "level=500"]
        let out = dir.appendingPathComponent("clim.nc").path
        let clim = try ClimatologyWorkflow.run(ClimatologyOptions(truthPath: grib, from: "2017-01-01", to: "2017-01-03", outPath: out,
                                                                  variables: ["t"], filter: filter))
        let t: Field<Double> = try GRIBFile(path: grib, filter: try GRIBFilter(parsing: filter, path: grib)).readField("t")
        XCTAssertEqual(t.dimensions.map(\.role), [.time, .latitude, .longitude])
        let times = t.dimensions[0].size, points = t.values.count / times
        XCTAssertEqual(times, 4)
        XCTAssertEqual(clim.first?.count, [Int](repeating: times, count: points))
        for p in stride(from: 0, to: points, by: 97) {
            let samples = (0..<times).map { t.values[$0 * points + p] }
            XCTAssertEqual(clim[0].mean[p], samples.reduce(0, +) / Double(times), accuracy: 1e-9 * abs(samples[0]), "point \(p)")
        }
        XCTAssertThrowsError(try ClimatologyWorkflow.run(ClimatologyOptions(truthPath: grib, from: "2017-01-01", to: "2017-01-02",
                                                                            outPath: out, filter: ["number"]))) { e in
            guard case .invalidFilter? = e as? GRIBError else { return XCTFail("\(e)") }
        }
    }

    /// The field as a netCDF-4 file with the same dimensions, coordinates (values and attributes) and variable attributes.
    func writeCopy(_ f: Field<Float>, to path: String) throws {
        let w = try NetCDFWriter(path: path)
        for d in f.dimensions { try w.defineDimension(d.name, size: d.size) }
        for d in f.dimensions { if let c = f.coordinates[d.name] { try w.defineVariable(d.name, type: .double, dimensions: [d.name], attributes: c.attributes) } }
        try w.defineVariable(f.name, type: .float, dimensions: f.dimensions.map(\.name), attributes: f.attributes.filter { $0.key != "coordinates" })
        for d in f.dimensions { if let c = f.coordinates[d.name] { try w.write(d.name, values: c.values) } }
        try w.write(f.name, values: f.values)
        try w.finish()
    }

    /// A truth at every valid time (init + step) of the forecast, on its grid: a smooth field near the ensemble's values.
    func writeTruth(for f: Field<Float>, to path: String) throws {
        let inits = f.coordinate(.initTime)!.values, steps = f.coordinate(.leadTime)!.values
        let valid = Array(Set(inits.flatMap { i in steps.map { i + $0 * 3600 } })).sorted()
        let lat = f.coordinate(.latitude)!, lon = f.coordinate(.longitude)!
        let w = try NetCDFWriter(path: path)
        try w.defineDimension("time", size: valid.count)
        try w.defineDimension("latitude", size: lat.values.count)
        try w.defineDimension("longitude", size: lon.values.count)
        try w.defineVariable("time", type: .double, dimensions: ["time"],
                             attributes: ["units": .string("seconds since 1970-01-01"), "calendar": .string("proleptic_gregorian"), "standard_name": .string("time")])
        try w.defineVariable("latitude", type: .double, dimensions: ["latitude"], attributes: lat.attributes)
        try w.defineVariable("longitude", type: .double, dimensions: ["longitude"], attributes: lon.attributes)
        try w.defineVariable("t2m", type: .float, dimensions: ["time", "latitude", "longitude"], attributes: ["units": .string("K")])
        try w.write("time", values: valid)
        try w.write("latitude", values: lat.values)
        try w.write("longitude", values: lon.values)
        var values: [Float] = []
        for (k, t) in valid.enumerated() { for i in lat.values.indices { for j in lon.values.indices {
            values.append(Float(283 + 6 * sin(t / 3.15e7 * 2 * .pi) + 0.3 * Double(i) - 0.2 * Double(j) + 0.1 * Double(k % 3)))
        } } }
        try w.write("t2m", values: values)
        try w.finish()
    }
}

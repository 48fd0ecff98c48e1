import XCTest
import WXCore
import WXIO

/// Dimension roles from CF standard_name and units as well as names: WeatherBench2's layout, cfgrib's, ours.
final class DimensionRoleRecognitionTests: XCTestCase {
    func roles(_ dims: [(String, Attributes?)]) -> [DimensionRole] {
        DimensionRoleRecognition.roles(dimensionNames: dims.map(\.0), coordinateAttributes: dims.map(\.1))
    }

    let lat: Attributes = ["units": .string("degrees_north")], lon: Attributes = ["units": .string("degrees_east")]

    func testWeatherBench2ForecastLayout() {
        // As xarray writes WB2's forecasts: time (datetime), prediction_timedelta (timedelta), number.
        let time: Attributes = ["units": .string("hours since 2020-01-01"), "calendar": .string("proleptic_gregorian")]
        let td: Attributes = ["units": .string("days"), "dtype": .string("timedelta64[ns]")]
        XCTAssertEqual(roles([("time", time), ("prediction_timedelta", td), ("number", [:]), ("latitude", lat), ("longitude", lon)]),
                       [.initTime, .leadTime, .member, .latitude, .longitude])
        var frt = time
        frt["standard_name"] = .string("forecast_reference_time")
        XCTAssertEqual(roles([("time", frt), ("prediction_timedelta", td), ("number", [:])]), [.initTime, .leadTime, .member])
    }

    func testRolesByStandardNameAndUnitsUnderOtherNames() {
        let t: Attributes = ["units": .string("hours since 2020-01-01"), "standard_name": .string("forecast_reference_time")]
        XCTAssertEqual(roles([("t0", t), ("fc", ["units": .string("hours")]), ("ens", ["standard_name": .string("realization")]),
                              ("y", ["standard_name": .string("latitude")]), ("x", ["standard_name": .string("longitude")])]),
                       [.initTime, .leadTime, .member, .latitude, .longitude])
        XCTAssertEqual(roles([("step2", ["units": .string("seconds"), "dtype": .string("timedelta64[ns]")])]), [.leadTime])
    }

    func testValidTimeStaysTime() {
        // A time axis that says it is the valid time, beside a lead, or a series of analyses alone.
        let valid: Attributes = ["units": .string("hours since 2020-01-01"), "standard_name": .string("time")]
        XCTAssertEqual(roles([("time", valid), ("lead_time", ["units": .string("hours")])]), [.time, .leadTime])
        XCTAssertEqual(roles([("time", ["units": .string("days since 2000-01-01")]), ("latitude", lat)]), [.time, .latitude])
        XCTAssertEqual(roles([("depth", ["units": .string("m"), "positive": .string("down")])]), [.level])
    }
}

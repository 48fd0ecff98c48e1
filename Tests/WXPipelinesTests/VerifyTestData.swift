import Foundation
import WXCore
import WXPipelines
import WXVerification

/// Small synthetic forecast/truth pairs held in memory, with deterministic pseudo-random values.
enum VerifyTestData {
    struct LCG {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        mutating func normal() -> Double {
            let u = max(next(), 1e-12), v = next()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
    }

    static let latitudes: [Double] = [-60, -20, 20, 60]
    static let longitudes: [Double] = [0, 120, 240]

    /// Forecast (init, member, lead, lat, lon) with inits every 24 h from 2000-01-01, leads 24 and 48 h.
    static func forecast(name: String = "tas", inits: Range<Int> = 0..<6, members: Int = 5, seed: UInt64 = 1,
                         latitudes: [Double] = latitudes, nanAt: Int? = nil, allNaN: Bool = false) -> Field<Double> {
        let leads: [Double] = [24, 48]
        let P = latitudes.count * longitudes.count
        var values: [Double] = []
        for i in inits {
            var rng = LCG(state: seed &+ UInt64(i) &* 7919)
            for _ in 0..<members { for l in 0..<leads.count { for p in 0..<P {
                values.append(280 + Double(p % 5) + 0.5 * Double(l) + 1.5 * rng.normal() + (i % 2 == 0 ? 0.3 : -0.2))
            } } }
        }
        if allNaN { values = values.map { _ in .nan } }
        if let k = nanAt { values[k] = .nan }
        let dims = [Dimension(name: "init_time", role: .initTime, size: inits.count), Dimension(name: "member", role: .member, size: members),
                    Dimension(name: "lead_time", role: .leadTime, size: leads.count), Dimension(name: "latitude", role: .latitude, size: latitudes.count),
                    Dimension(name: "longitude", role: .longitude, size: longitudes.count)]
        let coords: [String: Coordinate] = [
            "init_time": Coordinate(name: "init_time", values: inits.map { Double($0) * 24 },
                                    attributes: ["units": .string("hours since 2000-01-01 00:00:00"), "calendar": .string("proleptic_gregorian")]),
            "lead_time": Coordinate(name: "lead_time", values: leads, attributes: ["units": .string("hours")]),
            "latitude": Coordinate(name: "latitude", values: latitudes, attributes: ["units": .string("degrees_north")]),
            "longitude": Coordinate(name: "longitude", values: longitudes, attributes: ["units": .string("degrees_east")]),
        ]
        return Field(name: name, dimensions: dims, values: values, coordinates: coords, attributes: ["units": .string("K")])
    }

    /// Truth (time, lat, lon) every 6 h in days since 1999-12-31 (another reference and unit than the forecast).
    static func truth(name: String = "tas", days: Int = 12, dropValidHour: Double? = nil, latitudes: [Double] = latitudes) -> Field<Double> {
        var times: [Double] = []
        for k in 0..<(days * 4) {
            let hoursSince2000 = Double(k) * 6
            if let d = dropValidHour, d == hoursSince2000 { continue }
            times.append((hoursSince2000 + 24) / 24)
        }
        let P = latitudes.count * longitudes.count
        var rng = LCG(state: 99)
        var values: [Double] = []
        for _ in times { for p in 0..<P { values.append(280 + Double(p % 5) + 1.8 * rng.normal()) } }
        let dims = [Dimension(name: "time", role: .time, size: times.count), Dimension(name: "latitude", role: .latitude, size: latitudes.count),
                    Dimension(name: "longitude", role: .longitude, size: longitudes.count)]
        let coords: [String: Coordinate] = [
            "time": Coordinate(name: "time", values: times, attributes: ["units": .string("days since 1999-12-31"), "calendar": .string("standard")]),
            "latitude": Coordinate(name: "latitude", values: latitudes, attributes: ["units": .string("degrees_north")]),
            "longitude": Coordinate(name: "longitude", values: longitudes, attributes: ["units": .string("degrees_east")]),
        ]
        return Field(name: name, dimensions: dims, values: values, coordinates: coords, attributes: ["units": .string("K")])
    }

    static func sources(forecast f: Field<Double> = forecast(), truth t: Field<Double> = truth()) -> (FieldSource, FieldSource) {
        (FieldSource(path: "forecast.nc", fields: [f]), FieldSource(path: "truth.nc", fields: [t]))
    }

    static func options(events: [EventDefinition] = [EventDefinition(name: "gt281", comparison: .greater, threshold: .fixed(281))],
                        nanPolicy: NaNPolicy = .propagate) -> VerifyOptions {
        VerifyOptions(forecastPath: "forecast.nc", truthPath: "truth.nc", events: events, nanPolicy: nanPolicy)
    }
}

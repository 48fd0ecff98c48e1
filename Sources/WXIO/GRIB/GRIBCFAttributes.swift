import WXCore

/// The keys and CF attributes cfgrib 0.9.15 gives a dataset, its variables and coordinates (cfgrib/dataset.py).
enum GRIBCFAttributes {
    /// Keys that must take one value across a whole dataset (global attributes `GRIB_<key>`).
    static let globalKeys = ["edition", "centre", "centreDescription", "subCentre"]
    /// Keys that must take one value across a variable's messages.
    static let uniqueVariableKeys = ["paramId", "dataType", "numberOfPoints", "typeOfLevel", "stepType", "gridType", "uvRelativeToGrid"]
    /// Keys copied from a variable's first message as `GRIB_<key>` attributes.
    static let extraVariableKeys = ["shortName", "units", "name", "cfName", "cfVarName", "totalNumber", "numberOfDirections",
                                    "numberOfFrequencies", "NV", "gridDefinitionDescription"]
    /// Grid keys per `gridType`, copied as attributes.
    static let gridKeys: [String: [String]] = [
        "regular_ll": ["Nx", "iDirectionIncrementInDegrees", "iScansNegatively", "longitudeOfFirstGridPointInDegrees",
                       "longitudeOfLastGridPointInDegrees", "Ny", "jDirectionIncrementInDegrees", "jPointsAreConsecutive",
                       "jScansPositively", "latitudeOfFirstGridPointInDegrees", "latitudeOfLastGridPointInDegrees"],
        "regular_gg": ["N", "Ni", "Nj", "iDirectionIncrementInDegrees", "iScansNegatively", "jScansPositively", "jPointsAreConsecutive",
                       "longitudeOfFirstGridPointInDegrees", "longitudeOfLastGridPointInDegrees",
                       "latitudeOfFirstGridPointInDegrees", "latitudeOfLastGridPointInDegrees"],
        "lambert": ["LaDInDegrees", "LoVInDegrees", "iScansNegatively", "jPointsAreConsecutive", "jScansPositively",
                    "latitudeOfFirstGridPointInDegrees", "latitudeOfSouthernPoleInDegrees", "longitudeOfFirstGridPointInDegrees",
                    "longitudeOfSouthernPoleInDegrees", "DyInMetres", "DxInMetres", "Latin2InDegrees", "Latin1InDegrees", "Ny", "Nx"],
        "reduced_gg": ["N", "pl"],
        "sh": ["M", "K", "J"],
    ]
    /// Grid types read as latitude-longitude axes; every other one is listed and refused.
    static let readableGrids: Set<String> = ["regular_ll", "regular_gg"]
    /// Grid types cfgrib presents over (y, x) with 2-D latitude/longitude.
    static let projectedGrids: Set<String> = ["rotated_ll", "rotated_gg", "lambert", "lambert_azimuthal_equal_area", "albers",
                                              "polar_stereographic"]
    /// cfgrib's missing-value indicator (the largest float32); values equal to it become NaN.
    static let missingValue = Double(Float.greatestFiniteMagnitude)

    /// CF attributes of a coordinate, as cfgrib's COORD_ATTRS (vertical coordinates named after their `typeOfLevel`).
    /// Header coordinates (`key` given) start from cfgrib's generic long name and units "1"; grid and valid-time ones do not.
    static func coordinate(_ name: String, key: String?) -> Attributes {
        var a: Attributes = key.map { ["long_name": .string("original GRIB coordinate for key: \($0)(\(name))"), "units": .string("1")] } ?? [:]
        let time: Attributes = ["units": .string("seconds since 1970-01-01T00:00:00"), "calendar": .string("proleptic_gregorian")]
        let known: [String: Attributes] = [
            "latitude": ["units": .string("degrees_north"), "standard_name": .string("latitude"), "long_name": .string("latitude")],
            "longitude": ["units": .string("degrees_east"), "standard_name": .string("longitude"), "long_name": .string("longitude")],
            "depthBelowLand": ["units": .string("m"), "positive": .string("down"), "long_name": .string("soil depth"), "standard_name": .string("depth")],
            "depthBelowLandLayer": ["units": .string("m"), "positive": .string("down"), "long_name": .string("soil depth"), "standard_name": .string("depth")],
            "hybrid": ["units": .string("1"), "positive": .string("down"), "long_name": .string("hybrid level"),
                       "standard_name": .string("atmosphere_hybrid_sigma_pressure_coordinate")],
            "heightAboveGround": ["units": .string("m"), "positive": .string("up"), "long_name": .string("height above the surface"),
                                  "standard_name": .string("height")],
            "isobaricInhPa": ["units": .string("hPa"), "positive": .string("down"), "stored_direction": .string("decreasing"),
                              "standard_name": .string("air_pressure"), "long_name": .string("pressure")],
            "isobaricInPa": ["units": .string("Pa"), "positive": .string("down"), "stored_direction": .string("decreasing"),
                             "standard_name": .string("air_pressure"), "long_name": .string("pressure")],
            "isobaricLayer": ["units": .string("Pa"), "positive": .string("down"), "standard_name": .string("air_pressure"),
                              "long_name": .string("pressure")],
            "number": ["units": .string("1"), "standard_name": .string("realization"), "long_name": .string("ensemble member numerical id")],
            "step": ["units": .string("hours"), "standard_name": .string("forecast_period"), "long_name": .string("time since forecast_reference_time")],
            "time": time.merging(["standard_name": .string("forecast_reference_time"), "long_name": .string("initial time of forecast")]) { $1 },
            "valid_time": time.merging(["standard_name": .string("time"), "long_name": .string("time")]) { $1 },
        ]
        a.merge(known[name] ?? [:]) { $1 }
        return a
    }
}

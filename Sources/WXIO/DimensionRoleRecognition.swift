import WXCore

/// Recognises what a dimension means from its name and its coordinate variable's attributes (CF and common practice).
public enum DimensionRoleRecognition {
    static let memberNames: Set<String> = ["member", "members", "number", "ensemble", "ensemble_member", "realization",
                                           "realisation", "ens", "ens_mem", "m", "mem"]
    static let levelNames: Set<String> = ["level", "levels", "isobaricinhpa", "lev", "plev", "pressure", "pressure_level",
                                          "isobaric", "depth", "height", "altitude", "model_level", "level_number"]
    static let initNames: Set<String> = ["init_time", "forecast_reference_time", "reftime", "initial_time", "init"]
    static let leadNames: Set<String> = ["lead_time", "step", "forecast_period", "leadtime", "lead", "fcst_hour",
                                         "forecast_hour", "prediction_timedelta"]
    static let latitudeUnits: Set<String> = ["degrees_north", "degree_north", "degree_n", "degrees_n", "degreen", "degreesn"]
    static let longitudeUnits: Set<String> = ["degrees_east", "degree_east", "degree_e", "degrees_e", "degreee", "degreese"]

    /// The role of dimension `name` whose coordinate variable (if any) has `attributes`.
    public static func role(dimensionName name: String, coordinateAttributes attributes: Attributes?) -> DimensionRole {
        let n = name.lowercased()
        let a = attributes ?? [:]
        let standardName = a["standard_name"]?.stringValue?.lowercased()
        let units = a["units"]?.stringValue?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        let axis = a["axis"]?.stringValue?.uppercased()
        let isSince = CFTimeUnits.isTimeAxisUnits(units)

        if standardName == "realization" || memberNames.contains(n) { return .member }
        if standardName == "latitude" || standardName == "grid_latitude" || latitudeUnits.contains(units) || axis == "Y" || n == "lat" || n == "latitude" {
            return .latitude
        }
        if standardName == "longitude" || standardName == "grid_longitude" || longitudeUnits.contains(units) || axis == "X" || n == "lon" || n == "longitude" {
            return .longitude
        }
        if initNames.contains(n) && (isSince || attributes == nil || units.isEmpty) { return .initTime }
        if standardName == "forecast_reference_time" && n != "time" && (isSince || units.isEmpty) { return .initTime }
        if leadNames.contains(n) || standardName == "forecast_period" {
            // durations ("hours", "days"), or a lead index such as UKMO's forecast month (units "1")
            if !isSince { return .leadTime }
        }
        // Any other name: a duration by its units ("hours", "days"; no "since") or xarray's timedelta encoding.
        let isDuration = !units.isEmpty && ((try? CFDurationUnits(units: units)) != nil)
        if !isSince && (isDuration || a["dtype"]?.stringValue?.hasPrefix("timedelta64") == true) { return .leadTime }
        if isSince || standardName == "time" || axis == "T" || n == "time" { return .time }
        if levelNames.contains(n) || axis == "Z" || standardName == "air_pressure"
            || a["positive"] != nil { return .level }
        return .other
    }

    /// The roles of a variable's dimensions, each by `role(dimensionName:coordinateAttributes:)`, except that one time
    /// dimension beside a lead-time dimension (and no init time) is the init time unless its standard_name says `time`
    /// (valid time): cfgrib's `time` and `step` (forecast_reference_time), and WeatherBench2's forecasts, whose `time`
    /// beside `prediction_timedelta` is the init time and carries no standard_name. Alone, a time dimension stays the
    /// time axis of a series of analyses.
    public static func roles(dimensionNames names: [String], coordinateAttributes attributes: [Attributes?]) -> [DimensionRole] {
        var roles = zip(names, attributes).map { role(dimensionName: $0, coordinateAttributes: $1) }
        guard roles.contains(.leadTime), !roles.contains(.initTime) else { return roles }
        let candidates = roles.indices.filter { i in
            guard roles[i] == .time else { return false }
            let sn = attributes[i]?["standard_name"]?.stringValue?.lowercased()
            return sn == nil || sn == "forecast_reference_time"
        }
        if candidates.count == 1 { roles[candidates[0]] = .initTime }
        return roles
    }
}

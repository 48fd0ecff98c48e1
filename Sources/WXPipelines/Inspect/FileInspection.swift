import Foundation
import WXCore
import WXIO

/// What `wxens inspect` reports about a file: its format, dimensions and every data variable at a glance.
public struct FileInspection: Codable, Sendable {
    /// Path of the file.
    public var path: String
    /// On-disk format ("netCDF-4", "classic", "HDF5", ...).
    public var format: String
    /// Group inspected ("/" for the root).
    public var group: String
    /// Sub-groups of the file (all paths).
    public var groups: [String]
    /// Dimensions defined in the group.
    public var dimensions: [DimensionSummary]
    /// Text global attributes of the group (title, Conventions, history, ...).
    public var attributes: [String: String]
    /// Data variables (not coordinates) of the group.
    public var variables: [VariableSummary]
}

/// A dimension as `inspect` lists it.
public struct DimensionSummary: Codable, Sendable {
    /// Name.
    public var name: String
    /// Length.
    public var size: Int
    /// True for the unlimited (record) dimension.
    public var unlimited: Bool
}

/// One data variable at a glance.
public struct VariableSummary: Codable, Sendable {
    /// Full path of the variable.
    public var path: String
    /// Storage type.
    public var type: String
    /// `units`, if any.
    public var units: String?
    /// `long_name`, if any.
    public var longName: String?
    /// `standard_name`, if any.
    public var standardName: String?
    /// Dimensions with their roles, outermost first.
    public var dimensions: [RoleSummary]
    /// Chunk shape, when chunked.
    public var chunks: [Int]?
    /// zlib level, when compressed.
    public var deflateLevel: Int?
    /// True when CF packing (scale_factor/add_offset) is applied on reading.
    public var packed: Bool
    /// The latitude-longitude grid, when the variable has one.
    public var grid: GridSummary?
    /// Ensemble members, when there is a member dimension.
    public var members: AxisSummary?
    /// Valid or analysis times, when there is a time dimension.
    public var times: TimeAxisSummary?
    /// Initialisation times, when there is an init-time dimension.
    public var initTimes: TimeAxisSummary?
    /// Lead times, when there is a lead-time dimension.
    public var leadTimes: AxisSummary?
    /// Vertical levels, when there is a level dimension.
    public var levels: AxisSummary?
    /// Value range and missing share over the whole variable (decoded values).
    public var values: ValueSummary?
    /// Why the values could not be summarised, if they could not.
    public var valuesError: String?
    /// The GRIB keys of the variable's messages (its `GRIB_*` attributes without the prefix), when it has any.
    public var gribKeys: [String: String]?
}

/// A dimension name, size and role.
public struct RoleSummary: Codable, Sendable {
    /// Dimension name.
    public var name: String
    /// Length.
    public var size: Int
    /// Role recognised ("member", "latitude", ...).
    public var role: String
}

/// A latitude-longitude grid at a glance.
public struct GridSummary: Codable, Sendable {
    /// Number of latitudes.
    public var nlat: Int
    /// Number of longitudes.
    public var nlon: Int
    /// "regular", "Gaussian" or "irregular" (of the coordinates as stored), or "rotated pole" / "projected" for a
    /// grid whose coordinates are not true latitudes and longitudes.
    public var kind: String
    /// The CF `grid_mapping_name` of the variable's grid mapping, when it is not plain latitude_longitude.
    public var mapping: String?
    /// The rotated grid's north pole (latitude, longitude in degrees), for `rotated_latitude_longitude`.
    public var northPole: [Double]?
    /// Latitude step in degrees when evenly spaced.
    public var latitudeStep: Double?
    /// Longitude step in degrees when evenly spaced.
    public var longitudeStep: Double?
    /// Southernmost and northernmost latitude.
    public var latitudeRange: [Double]
    /// Westernmost and easternmost longitude as stored.
    public var longitudeRange: [Double]
    /// "north-to-south" or "south-to-north".
    public var latitudeOrder: String
    /// "0..360" or "-180..180".
    public var longitudeConvention: String
    /// True when the longitudes close the circle.
    public var globalWrap: Bool
}

/// A non-time axis (members, lead times, levels): count, first and last values, step when even.
public struct AxisSummary: Codable, Sendable {
    /// Number of points.
    public var count: Int
    /// First value (as stored, after unpacking).
    public var first: Double?
    /// Last value.
    public var last: Double?
    /// Step when evenly spaced.
    public var step: Double?
    /// Units of the values.
    public var units: String?
    /// Lead times in hours, when the units are a duration.
    public var hours: [Double]?
}

/// A time axis: first, last, step, count, calendar.
public struct TimeAxisSummary: Codable, Sendable {
    /// Number of times.
    public var count: Int
    /// First time (ISO 8601), when the units decode.
    public var first: String?
    /// Last time (ISO 8601).
    public var last: String?
    /// Step in seconds when evenly spaced.
    public var stepSeconds: Double?
    /// Calendar.
    public var calendar: String?
    /// Units as stored.
    public var units: String?
    /// Missing (NaN) times.
    public var missing: Int
    /// Why the times could not be decoded, if they could not.
    public var note: String?
}

/// Value range of a variable.
public struct ValueSummary: Codable, Sendable {
    /// Smallest non-missing value.
    public var min: Double?
    /// Largest non-missing value.
    public var max: Double?
    /// Mean of the non-missing values.
    public var mean: Double?
    /// Number of values.
    public var count: Int
    /// Share of missing values, 0...1.
    public var missingFraction: Double
}

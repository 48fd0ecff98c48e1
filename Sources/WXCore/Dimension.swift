/// What a dimension of a gridded field means to a forecaster.
public enum DimensionRole: String, Sendable, Codable, CaseIterable {
    /// Ensemble member (realization).
    case member
    /// Valid time of an analysis or observation series.
    case time
    /// Forecast initialisation time.
    case initTime
    /// Forecast lead time (a duration after `initTime`).
    case leadTime
    /// Vertical level.
    case level
    /// Latitude (degrees north).
    case latitude
    /// Longitude (degrees east).
    case longitude
    /// Anything else (profile index, grid cell, ...).
    case other
}

/// A named, sized axis of a field together with its role.
public struct Dimension: Sendable, Hashable, Codable {
    /// Name as stored in the file (e.g. "number", "lat").
    public var name: String
    /// What the axis means.
    public var role: DimensionRole
    /// Number of points along the axis.
    public var size: Int

    /// A dimension.
    public init(name: String, role: DimensionRole, size: Int) {
        self.name = name
        self.role = role
        self.size = size
    }
}

/// Values along one dimension together with their attributes (units, calendar, ...).
public struct Coordinate: Sendable, Equatable {
    /// Name of the coordinate variable.
    public var name: String
    /// Coordinate values as stored (after CF unpacking), e.g. hours since a reference date.
    public var values: [Double]
    /// Attributes of the coordinate variable (units, calendar, standard_name, axis, ...).
    public var attributes: Attributes

    /// A coordinate.
    public init(name: String, values: [Double], attributes: Attributes = [:]) {
        self.name = name
        self.values = values
        self.attributes = attributes
    }

    /// The `units` attribute, if present.
    public var units: String? { attributes["units"]?.stringValue }
}

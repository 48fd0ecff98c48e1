/// A gridded field: values over named dimensions, their coordinates and the variable's metadata.
///
/// The reader makes one, every later stage consumes one, and the writer takes one.
/// Values are row-major in the order of `dimensions`; missing values are NaN.
public struct Field<Element: BinaryFloatingPoint & Sendable>: Sendable {
    /// Variable name as stored in the file.
    public var name: String
    /// Axes in storage order, outermost first.
    public var dimensions: [Dimension]
    /// Values, row-major over `dimensions`; NaN where missing.
    public var values: [Element]
    /// Coordinates keyed by dimension name (absent for dimensions that have none).
    public var coordinates: [String: Coordinate]
    /// Variable attributes after CF decoding (packing attributes removed).
    public var attributes: Attributes

    /// A field; `values.count` must equal the product of the dimension sizes.
    public init(name: String, dimensions: [Dimension], values: [Element],
                coordinates: [String: Coordinate] = [:], attributes: Attributes = [:]) {
        let n = dimensions.reduce(1) { $0 * $1.size }
        precondition(n == values.count, "Field \(name): dimensions need \(n) values, got \(values.count)")
        self.name = name
        self.dimensions = dimensions
        self.values = values
        self.coordinates = coordinates
        self.attributes = attributes
    }

    /// Sizes of the dimensions, outermost first.
    public var shape: [Int] { dimensions.map(\.size) }

    /// Index of the first dimension with the given role.
    public func axis(_ role: DimensionRole) -> Int? { dimensions.firstIndex { $0.role == role } }

    /// The dimension with the given role, if any.
    public func dimension(_ role: DimensionRole) -> Dimension? { axis(role).map { dimensions[$0] } }

    /// The coordinate of the dimension with the given role, if any.
    public func coordinate(_ role: DimensionRole) -> Coordinate? {
        dimension(role).flatMap { coordinates[$0.name] }
    }

    /// Number of ensemble members (1 when the field has no member dimension).
    public var memberCount: Int { dimension(.member)?.size ?? 1 }

    /// `units` attribute, if any.
    public var units: String? { attributes["units"]?.stringValue }
    /// `standard_name` attribute, if any.
    public var standardName: String? { attributes["standard_name"]?.stringValue }
    /// `long_name` attribute, if any.
    public var longName: String? { attributes["long_name"]?.stringValue }

    /// The latitude-longitude grid, when the field has both coordinates.
    public var grid: LatLonGrid? {
        guard let lat = coordinate(.latitude), let lon = coordinate(.longitude) else { return nil }
        return LatLonGrid(latitudes: lat.values, longitudes: lon.values)
    }
}

import Foundation

/// A rectilinear latitude-longitude grid (degrees), in the order the file stores it.
public struct LatLonGrid: Sendable, Equatable {
    /// Latitudes in degrees north, ascending or descending.
    public var latitudes: [Double]
    /// Longitudes in degrees east, 0..360 or -180..180.
    public var longitudes: [Double]

    /// A grid from its coordinate values.
    public init(latitudes: [Double], longitudes: [Double]) {
        self.latitudes = latitudes
        self.longitudes = longitudes
    }

    /// Number of latitudes.
    public var nlat: Int { latitudes.count }
    /// Number of longitudes.
    public var nlon: Int { longitudes.count }

    /// True when latitudes run from north to south.
    public var latitudeDescending: Bool { nlat > 1 && latitudes[0] > latitudes[nlat - 1] }

    /// True when the longitudes are evenly spaced and close the circle (the grid wraps around the Earth).
    public var isGlobalInLongitude: Bool {
        guard nlon > 1, let d = spacing(longitudes) else { return false }
        return abs(d * Double(nlon) - 360) < 1e-6 * 360
    }

    /// Longitude step if evenly spaced, else nil.
    public var longitudeSpacing: Double? { spacing(longitudes) }
    /// Latitude step if evenly spaced, else nil (Gaussian grids are not evenly spaced).
    public var latitudeSpacing: Double? { spacing(latitudes) }

    /// True when both axes are evenly spaced.
    public var isRegular: Bool { longitudeSpacing != nil && latitudeSpacing != nil }

    private func spacing(_ v: [Double]) -> Double? {
        guard v.count > 1 else { return nil }
        let d = (v[v.count - 1] - v[0]) / Double(v.count - 1)
        for i in 1..<v.count where abs((v[i] - v[i - 1]) - d) > 1e-4 * max(abs(d), 1e-12) { return nil }
        return abs(d)
    }
}

import Foundation

/// The cell edges of a latitude-longitude grid for drawing, in the file's order and longitude convention (0..360 or
/// -180..180): edges at the midpoints between neighbouring centres, the outer edges half a spacing out (latitudes
/// snapped to the pole when it lies within one spacing, as on global Gaussian grids), so irregular Gaussian rows
/// get their own heights.
public struct MapCells: Sendable, Equatable {
    /// Per latitude in file order: its southern and northern edge (degrees).
    public let latitudeEdges: [(south: Double, north: Double)]
    /// Per longitude in file order: its western and eastern edge (degrees).
    public let longitudeEdges: [(west: Double, east: Double)]

    /// The edges of the grid with these centres (at least one of each).
    public init(latitudes: [Double], longitudes: [Double]) {
        latitudeEdges = Self.edges(latitudes, defaultWidth: 180, pole: 90).map { (south: $0.lower, north: $0.upper) }
        longitudeEdges = Self.edges(longitudes, defaultWidth: 360, pole: nil).map { (west: $0.lower, east: $0.upper) }
    }

    /// Southern- and northernmost edge.
    public var latitudeRange: (Double, Double) {
        (latitudeEdges.map(\.south).min() ?? -90, latitudeEdges.map(\.north).max() ?? 90)
    }

    /// Western- and easternmost edge.
    public var longitudeRange: (Double, Double) {
        (longitudeEdges.map(\.west).min() ?? 0, longitudeEdges.map(\.east).max() ?? 360)
    }

    /// Edges of cells centred at `c`, each (lower, upper) whatever the order of `c`.
    static func edges(_ c: [Double], defaultWidth: Double, pole: Double?) -> [(lower: Double, upper: Double)] {
        let n = c.count
        guard n > 1 else { return c.map { ($0 - defaultWidth / 2, $0 + defaultWidth / 2) } }
        var bounds = [Double](repeating: 0, count: n + 1)
        for i in 1..<n { bounds[i] = (c[i - 1] + c[i]) / 2 }
        bounds[0] = c[0] - (bounds[1] - c[0])
        bounds[n] = c[n - 1] + (c[n - 1] - bounds[n - 1])
        if let p = pole {
            for i in [0, n] {
                let centre = c[i == 0 ? 0 : n - 1], gap = abs(c[i == 0 ? 1 : n - 2] - centre)
                if abs(bounds[i]) > p || p - abs(centre) <= gap { bounds[i] = bounds[i] < centre ? -p : p }
            }
        }
        return (0..<n).map { (min(bounds[$0], bounds[$0 + 1]), max(bounds[$0], bounds[$0 + 1])) }
    }

    /// Equality of the edges.
    public static func == (a: MapCells, b: MapCells) -> Bool {
        a.latitudeEdges.elementsEqual(b.latitudeEdges) { $0 == $1 } && a.longitudeEdges.elementsEqual(b.longitudeEdges) { $0 == $1 }
    }
}

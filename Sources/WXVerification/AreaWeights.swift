import Foundation

/// How points are weighted by latitude when scores are averaged over a grid.
public enum AreaWeighting: String, Codable, Sendable, CaseIterable {
    /// WeatherBench2 cell areas: bounds at the midpoints between centres and at ±90° (half a spacing beyond the edge
    /// rows of a limited area), w_i = sin(b_{i+1}) − sin(b_i).
    case cellArea
    /// cos(latitude).
    case cosLatitude
    /// Every point weighs the same.
    case none
}

/// Latitude weights normalised to mean 1 (WeatherBench2 `get_lat_weights` convention for `cellArea`).
public enum AreaWeights {
    /// One weight per latitude (degrees, ascending or descending), normalised so their mean is 1.
    ///
    /// `cellArea`: with bounds b = [−90°, midpoints of adjacent centres, +90°] in the order of increasing latitude,
    /// w_i = sin(b_{i+1}) − sin(b_i) (Rasp et al. 2024, WeatherBench 2, JAMES 16); on a limited area (a pole farther
    /// than one grid spacing from the edge row) the edge cells end half a spacing beyond their centres instead
    /// (`edgeBound`). `cosLatitude`: w_i = cos(φ_i).
    public static func latitudeWeights(_ latitudes: [Double], kind: AreaWeighting) throws -> [Double] {
        guard !latitudes.isEmpty else {
            throw VerificationError.invalidParameter(name: "latitudes", value: "[]", reason: "no latitudes")
        }
        for (i, v) in latitudes.enumerated() where !(v.isFinite && abs(v) <= 90) {
            throw VerificationError.invalidParameter(name: "latitudes[\(i)]", value: "\(v)", reason: "must be finite and within [-90, 90]")
        }
        let n = latitudes.count
        var w = [Double](repeating: 1, count: n)
        switch kind {
        case .none:
            return w
        case .cosLatitude:
            for i in 0..<n { w[i] = cos(latitudes[i] * .pi / 180) }
        case .cellArea:
            let order = latitudes.indices.sorted { latitudes[$0] < latitudes[$1] }
            let d = order.map { latitudes[$0] }, s = d.map { $0 * .pi / 180 }
            let south = n > 1 ? edgeBound(edge: d[0], inner: d[1], pole: -90) : -90
            let north = n > 1 ? edgeBound(edge: d[n - 1], inner: d[n - 2], pole: 90) : 90
            for k in 0..<n {
                let lo = k == 0 ? south * .pi / 180 : (s[k - 1] + s[k]) / 2
                let hi = k == n - 1 ? north * .pi / 180 : (s[k] + s[k + 1]) / 2
                w[order[k]] = sin(hi) - sin(lo)
            }
        }
        let mean = w.reduce(0, +) / Double(n)
        guard mean > 0 else {
            throw VerificationError.invalidParameter(name: "latitudes", value: "\(latitudes)", reason: "weights sum to zero")
        }
        return w.map { $0 / mean }
    }

    /// The outer bound (degrees) of an edge row's cell: the pole when it lies within one grid spacing of the edge row
    /// (the grid spans the globe in latitude, as WeatherBench2 assumes), else half a spacing beyond the edge row
    /// (a limited area, whose edge cells would otherwise take in the whole cap up to the pole).
    static func edgeBound(edge: Double, inner: Double, pole: Double) -> Double {
        let spacing = abs(edge - inner)
        return abs(pole - edge) <= spacing * (1 + 1e-9) || spacing == 0 ? pole : edge + (pole > 0 ? 0.5 : -0.5) * spacing
    }

    /// Weights for every point of a (latitude, longitude) block in row-major order: each latitude's weight repeated.
    public static func gridWeights(latitudes: [Double], longitudeCount: Int, kind: AreaWeighting) throws -> [Double] {
        let w = try latitudeWeights(latitudes, kind: kind)
        var out = [Double]()
        out.reserveCapacity(w.count * longitudeCount)
        for v in w { out.append(contentsOf: repeatElement(v, count: longitudeCount)) }
        return out
    }
}

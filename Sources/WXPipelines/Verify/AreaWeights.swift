import Foundation

/// Latitude weights for area-weighted means.
public enum AreaWeights {
    /// WeatherBench2 cell-area weights: w_i = sin(b_i+1) - sin(b_i), bounds at the midpoints between adjacent latitudes
    /// and at +-90 deg, normalised to mean 1 (works for ascending or descending latitudes).
    public static func cellArea(latitudes: [Double]) -> [Double] {
        let n = latitudes.count
        guard n > 1 else { return Array(repeating: 1, count: n) }
        let ascending = latitudes[n - 1] > latitudes[0]
        let lat = ascending ? latitudes : latitudes.reversed()
        var bounds = [-90.0]
        for i in 0..<(n - 1) { bounds.append((lat[i] + lat[i + 1]) / 2) }
        bounds.append(90)
        var w = (0..<n).map { sin(bounds[$0 + 1] * .pi / 180) - sin(bounds[$0] * .pi / 180) }
        let mean = w.reduce(0, +) / Double(n)
        w = w.map { $0 / mean }
        return ascending ? w : w.reversed()
    }
}

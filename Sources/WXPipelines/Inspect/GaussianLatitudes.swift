import Foundation

/// Latitudes of a Gaussian grid: the arcsines of the roots of the Legendre polynomial P_n (Newton iteration).
public enum GaussianLatitudes {
    /// The `n` Gaussian latitudes in degrees, north to south.
    public static func degrees(_ n: Int) -> [Double] {
        guard n > 0 else { return [] }
        var out = [Double](repeating: 0, count: n)
        for i in 0..<(n + 1) / 2 {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            for _ in 0..<100 {
                var p0 = 1.0, p1 = x
                for k in 2...max(2, n) where n >= 2 {
                    let pk = (Double(2 * k - 1) * x * p1 - Double(k - 1) * p0) / Double(k)
                    p0 = p1; p1 = pk
                }
                if n == 1 { p0 = 1; p1 = x }
                let dp = Double(n) * (x * p1 - p0) / (x * x - 1)
                let dx = p1 / dp
                x -= dx
                if abs(dx) < 1e-15 { break }
            }
            out[i] = asin(x) * 180 / .pi
            out[n - 1 - i] = -out[i]
        }
        return out
    }

    /// True when `lats` (either order) are the Gaussian latitudes of their count, to `tolerance` degrees.
    public static func matches(_ lats: [Double], tolerance: Double = 2e-3) -> Bool {
        guard lats.count >= 2 else { return false }
        let g = degrees(lats.count)
        let l = lats[0] > lats[lats.count - 1] ? lats : Array(lats.reversed())
        return zip(g, l).allSatisfy { abs($0 - $1) <= tolerance }
    }
}

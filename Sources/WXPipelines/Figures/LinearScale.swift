import Foundation

/// Maps a data interval onto a pixel interval and chooses round tick values for it.
public struct LinearScale: Sendable {
    /// Lower end of the data interval.
    public var lower: Double
    /// Upper end of the data interval.
    public var upper: Double
    /// Pixel position of `lower`.
    public var pixelLower: Double
    /// Pixel position of `upper`.
    public var pixelUpper: Double

    /// A scale from data [lower, upper] to pixels [pixelLower, pixelUpper].
    public init(lower: Double, upper: Double, pixelLower: Double, pixelUpper: Double) {
        self.lower = lower
        self.upper = upper
        self.pixelLower = pixelLower
        self.pixelUpper = pixelUpper
    }

    /// Pixel position of a data value.
    public func callAsFunction(_ v: Double) -> Double {
        let span = upper - lower
        guard span != 0 else { return (pixelLower + pixelUpper) / 2 }
        return pixelLower + (v - lower) / span * (pixelUpper - pixelLower)
    }

    /// A tick step of 1, 2 or 5 times a power of ten giving about `target` intervals over `span`.
    public static func niceStep(span: Double, target: Int = 5) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / Double(max(target, 1))
        let mag = pow(10, floor(log10(raw)))
        let f = raw / mag
        let m: Double = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
        return m * mag
    }

    /// A round data interval covering the finite values (with `includeZero` reaching down/up to zero).
    public static func niceRange(_ values: [Double], includeZero: Bool = false, target: Int = 5) -> (Double, Double, Double) {
        var lo = Double.infinity, hi = -Double.infinity
        for v in values where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
        if !lo.isFinite { lo = 0; hi = 1 }
        if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
        if lo == hi { let d = lo == 0 ? 1 : abs(lo) * 0.1; lo -= d; hi += d }
        let step = niceStep(span: hi - lo, target: target)
        return (floor(lo / step) * step, ceil(hi / step) * step, step)
    }

    /// Tick values from `lower` to `upper` at `step`.
    public func ticks(step: Double) -> [Double] {
        guard step > 0, step.isFinite else { return [lower, upper] }
        var t: [Double] = []
        var k = ceil(lower / step - 1e-9)
        while k * step <= upper + step * 1e-9, t.count < 100 {
            t.append(k * step)
            k += 1
        }
        return t
    }

    /// Tick label text with as many decimals as the step needs (scientific notation for very large or small values).
    public static func label(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        let a = max(abs(v), step)
        if a >= 1e6 || a < 1e-3 { return String(format: "%.2g", v) }
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        return String(format: "%.\(decimals)f", v)
    }
}

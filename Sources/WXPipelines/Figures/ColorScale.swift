import Foundation

/// A colour scale of discrete levels between round boundaries, as filled contours: sequential (viridis, dark to
/// light) or diverging (blue through white to red, symmetric about zero, for anomalies).
public struct ColorScale: Sendable, Equatable {
    /// Which palette and how the boundaries are chosen.
    public enum Kind: Sendable, Equatable {
        /// Viridis over [min, max]: luminance increases with the value.
        case sequential
        /// Blue-white-red over [-m, m] with zero a boundary: red minus blue increases with the value.
        case diverging
    }

    /// The palette.
    public let kind: Kind
    /// Level boundaries, ascending; level i spans boundaries[i]...boundaries[i + 1].
    public let boundaries: [Double]

    // Viridis (matplotlib) at 0, 1/8, ..., 1; perceptually uniform and colour-blind safe.
    static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (71, 45, 123), (59, 82, 139), (44, 114, 142), (33, 145, 140), (40, 174, 128), (94, 201, 98),
        (173, 220, 48), (253, 231, 37),
    ]
    // ColorBrewer RdBu reversed, the darkest red deepened so that red minus blue keeps increasing.
    static let redBlue: [(Double, Double, Double)] = [
        (33, 102, 172), (67, 147, 195), (146, 197, 222), (209, 229, 240), (247, 247, 247), (253, 219, 199),
        (244, 165, 130), (214, 96, 77), (180, 4, 38),
    ]

    /// A scale with explicit boundaries (at least two, strictly ascending).
    public init(kind: Kind, boundaries: [Double]) {
        precondition(boundaries.count >= 2 && zip(boundaries, boundaries.dropFirst()).allSatisfy { $0 < $1 },
                     "ColorScale: boundaries must be at least two and strictly ascending")
        self.kind = kind
        self.boundaries = boundaries
    }

    /// A scale covering the finite `values` in about `levels` levels of a round step (1, 2 or 5 times a power of ten);
    /// diverging scales are symmetric about zero.
    public init(kind: Kind, covering values: [Double], levels: Int = 12) {
        var lo = Double.infinity, hi = -Double.infinity
        for v in values where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
        if !lo.isFinite { lo = 0; hi = 1 }
        if kind == .diverging {
            let m = max(abs(lo), abs(hi), 1e-12)
            lo = -m; hi = m
        }
        if lo == hi { let d = lo == 0 ? 1 : abs(lo) * 0.1; lo -= d; hi += d }
        let step = LinearScale.niceStep(span: hi - lo, target: max(levels, 2))
        let a = floor(lo / step + 1e-9) * step, b = ceil(hi / step - 1e-9) * step
        let n = max(1, Int(((b - a) / step).rounded()))
        self.init(kind: kind, boundaries: (0...n).map { a + Double($0) * step })
    }

    /// Number of levels.
    public var levels: Int { boundaries.count - 1 }

    /// The level of `v` (values beyond the ends fall in the end levels); nil when `v` is not finite.
    public func level(of v: Double) -> Int? {
        guard v.isFinite else { return nil }
        var lo = 0, hi = levels - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if v >= boundaries[mid] { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The RGB colour (0...255 each) of level `i`, from the palette at the level's centre.
    public func rgb(level i: Int) -> (r: Double, g: Double, b: Double) {
        let anchors = kind == .sequential ? Self.viridis : Self.redBlue
        let t = levels == 1 ? 0.5 : Double(i) / Double(levels - 1)
        let x = min(max(t, 0), 1) * Double(anchors.count - 1)
        let k = min(Int(x), anchors.count - 2), f = x - Double(k)
        let (a, b) = (anchors[k], anchors[k + 1])
        return (a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1), a.2 + f * (b.2 - a.2))
    }

    /// The colour of level `i` as "#rrggbb".
    public func color(level i: Int) -> String {
        let c = rgb(level: i)
        return String(format: "#%02x%02x%02x", Int(c.r.rounded()), Int(c.g.rounded()), Int(c.b.rounded()))
    }

    /// The colour of value `v` ("none" when it is not finite).
    public func color(for v: Double) -> String { level(of: v).map { color(level: $0) } ?? "none" }
}

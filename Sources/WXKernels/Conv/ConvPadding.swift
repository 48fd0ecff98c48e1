/// How one spatial axis of a convolution input is extended beyond its edges.
///
/// On a global latitude-longitude grid the longitude axis wraps around the Earth
/// (`.circular`), while latitude is usually mirrored (`.reflect`) or held (`.replicate`).
public enum ConvAxisPadding: Sendable, Equatable, CustomStringConvertible {
    /// `amount` zeros on each side.
    case zeros(Int)
    /// `amount` values wrapped around from the opposite edge on each side (periodic axis).
    case circular(Int)
    /// `amount` values mirrored about the edge element, which is not repeated (PyTorch "reflect").
    case reflect(Int)
    /// The edge element repeated `amount` times on each side.
    case replicate(Int)

    /// Number of padded elements on each side.
    public var amount: Int {
        switch self {
        case .zeros(let p), .circular(let p), .reflect(let p), .replicate(let p): return p
        }
    }

    /// Short name of the mode, as PyTorch spells it.
    public var modeName: String {
        switch self {
        case .zeros: return "zeros"
        case .circular: return "circular"
        case .reflect: return "reflect"
        case .replicate: return "replicate"
        }
    }

    /// E.g. "circular(1)".
    public var description: String { "\(modeName)(\(amount))" }
}

/// Padding of the two spatial axes of an NCHW convolution input.
public struct ConvPadding: Sendable, Equatable, CustomStringConvertible {
    /// Padding of the height (latitude) axis.
    public var height: ConvAxisPadding
    /// Padding of the width (longitude) axis.
    public var width: ConvAxisPadding

    /// Per-axis padding, e.g. `ConvPadding(height: .reflect(1), width: .circular(1))`.
    public init(height: ConvAxisPadding, width: ConvAxisPadding) {
        self.height = height
        self.width = width
    }

    /// The same padding on both axes.
    public init(_ both: ConvAxisPadding) { self.init(height: both, width: both) }

    /// No padding.
    public static let none = ConvPadding(.zeros(0))

    /// E.g. "height reflect(1), width circular(1)".
    public var description: String { "height \(height), width \(width)" }
}

/// Padding of one axis as the kernels use it: possibly asymmetric amounts and a mode.
struct AxisPad: Sendable {
    enum Mode: Sendable { case zeros, circular, reflect, replicate }
    var before: Int
    var after: Int
    var mode: Mode

    init(before: Int, after: Int, mode: Mode) {
        self.before = before
        self.after = after
        self.mode = mode
    }

    init(_ p: ConvAxisPadding) {
        let m: Mode
        switch p {
        case .zeros: m = .zeros
        case .circular: m = .circular
        case .reflect: m = .reflect
        case .replicate: m = .replicate
        }
        self.init(before: p.amount, after: p.amount, mode: m)
    }

    /// Length of the padded axis for an input of length `n`.
    func paddedLength(_ n: Int) -> Int { n + before + after }

    /// Source index in `0..<n` read at padded position `i`, or -1 where the padding is zero.
    @inline(__always)
    func source(_ i: Int, _ n: Int) -> Int {
        let x = i - before
        if x >= 0 && x < n { return x }
        switch mode {
        case .zeros:
            return -1
        case .circular:
            let r = x % n
            return r < 0 ? r + n : r
        case .reflect:
            if n == 1 { return 0 }
            let period = 2 * (n - 1)
            var r = x % period
            if r < 0 { r += period }
            return r < n ? r : period - r
        case .replicate:
            return x < 0 ? 0 : n - 1
        }
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seeded 64-bit generator.
///
/// `SplitMix64(key:)` derives an independent stream from a tuple of counters, e.g. (seed, init, member, step),
/// so every random stream is fixed by what it is for, not by the order in which work is done.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's counter; each draw advances it by the golden-ratio increment.
    public private(set) var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// A generator whose seed is the mix of every counter in `key`, folded in order.
    public init(key: [UInt64]) {
        var h: UInt64 = 0
        for k in key { h = SplitMix64.mix(h &+ 0x9E37_79B9_7F4A_7C15 ^ k) }
        state = h
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// SplitMix64's output function (a bijective 64-bit finaliser).
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

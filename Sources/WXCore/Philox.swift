import Foundation

/// Philox4x32-10 (Salmon, Moraes, Dror & Shaw, SC 2011; Random123, as in PyTorch and JAX): a counter-based
/// generator, each 128-bit output block a pure function of a 128-bit counter and a 64-bit key.
///
/// `Philox(seed:purpose:index:)` keys a stream by what it is for: the seed is the key, the purpose and indices
/// (init, member, step, example...) are mixed into counter words 2-3, and words 0-1 count blocks. A draw therefore
/// never depends on thread count, batch size or the order in which streams are used.
public struct Philox: RandomNumberGenerator, Sendable {
    /// The two key words (the seed).
    public let key: SIMD2<UInt32>
    /// The stream's identity (counter words 2-3).
    public let stream: UInt64
    /// Blocks drawn so far (counter words 0-1).
    public private(set) var block: UInt64
    private var buffer: SIMD4<UInt32> = .zero
    private var used = 4

    /// A stream for `purpose` and `index` (e.g. [init, member, step]) under `seed`.
    public init(seed: UInt64, purpose: RandomPurpose, index: [UInt64] = []) {
        var mixer = SplitMix64(key: [purpose.rawValue] + index)
        self.init(key: SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)), stream: mixer.next())
    }

    /// A stream with an explicit key and stream identity, starting at block 0.
    public init(key: SIMD2<UInt32>, stream: UInt64) {
        self.key = key
        self.stream = stream
        block = 0
    }

    /// One Philox4x32-10 block: ten rounds of the multiply-hi/lo Feistel map with the Weyl key schedule.
    @inline(__always)
    public static func block(counter: SIMD4<UInt32>, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        var x = counter
        var k = key
        for r in 0..<10 {
            if r > 0 { k &+= SIMD2(0x9E37_79B9, 0xBB67_AE85) }
            let p0 = UInt64(0xD251_1F53) &* UInt64(x[0])
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(x[2])
            x = SIMD4(UInt32(truncatingIfNeeded: p1 >> 32) ^ x[1] ^ k[0], UInt32(truncatingIfNeeded: p1),
                      UInt32(truncatingIfNeeded: p0 >> 32) ^ x[3] ^ k[1], UInt32(truncatingIfNeeded: p0))
        }
        return x
    }

    /// The next block of four words.
    public mutating func nextBlock() -> SIMD4<UInt32> {
        let c = SIMD4(UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32),
                      UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32))
        block &+= 1
        return Philox.block(counter: c, key: key)
    }

    /// The next 32 random bits.
    public mutating func next32() -> UInt32 {
        if used == 4 {
            buffer = nextBlock()
            used = 0
        }
        used += 1
        return buffer[used - 1]
    }

    /// The next 64 random bits (two words, low first).
    public mutating func next() -> UInt64 {
        let lo = UInt64(next32())
        return lo | UInt64(next32()) << 32
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A standard normal draw (Box-Muller on two uniforms in (0, 1], in Double).
    public mutating func nextNormal() -> Double {
        let u1 = 1 - nextUniform(), u2 = nextUniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Fills `out` with standard normal draws (both Box-Muller outputs of each pair of uniforms).
    public mutating func fillNormal(_ out: UnsafeMutableBufferPointer<Float>) {
        var i = 0
        while i < out.count {
            let u1 = 1 - nextUniform(), u2 = nextUniform()
            let r = (-2 * log(u1)).squareRoot(), a = 2 * Double.pi * u2
            out[i] = Float(r * cos(a))
            if i + 1 < out.count { out[i + 1] = Float(r * sin(a)) }
            i += 2
        }
    }
}

/// What a random stream is for; with the seed and the stream's indices it fixes every draw.
public struct RandomPurpose: RawRepresentable, Hashable, Sendable {
    /// The tag mixed into the stream identity.
    public let rawValue: UInt64
    /// A purpose with tag `rawValue`.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Initial weights (index: parameter number).
    public static let initialization = RandomPurpose(rawValue: 1)
    /// The order of training examples (index: epoch).
    public static let dataOrder = RandomPurpose(rawValue: 2)
    /// Noise added in training (index: step, example).
    public static let trainingNoise = RandomPurpose(rawValue: 3)
    /// Noise levels or other per-example draws in training (index: step, example).
    public static let trainingDraw = RandomPurpose(rawValue: 4)
    /// Sampling of a generated member (index: init, lead, member).
    public static let sampling = RandomPurpose(rawValue: 5)
    /// Latent draws of a rolled-out member (index: init, member, step).
    public static let latent = RandomPurpose(rawValue: 6)
}

import Foundation
import WXCore
import WXKernels

/// How one conditioning scalar (noise level, lead time) becomes features: sines and cosines at `features / 2`
/// periods spaced geometrically from `minPeriod` to `maxPeriod` (the scalar's own units).
public struct ScalarFeatures: Codable, Equatable, Sendable {
    /// What the scalar is (e.g. "noise", "lead_time"), for errors and configs.
    public var name: String
    /// Number of features (even: a cosine and a sine per period).
    public var features: Int
    /// Shortest and longest period.
    public var minPeriod: Double, maxPeriod: Double

    /// A scalar embedded with `features` Fourier features between the two periods.
    public init(name: String, features: Int, minPeriod: Double, maxPeriod: Double) {
        self.name = name
        self.features = features
        self.minPeriod = minPeriod
        self.maxPeriod = maxPeriod
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, features
        case minPeriod = "min_period"
        case maxPeriod = "max_period"
    }

    /// Decodes strictly (unknown keys are errors).
    public init(from decoder: Decoder) throws {
        try StrictKeys<CodingKeys>.check(decoder, section: "scalars")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        features = try c.decode(Int.self, forKey: .features)
        minPeriod = try c.decode(Double.self, forKey: .minPeriod)
        maxPeriod = try c.decode(Double.self, forKey: .maxPeriod)
    }

    /// The periods, shortest first: P_k = minPeriod (maxPeriod / minPeriod)^(k / (features/2 - 1)).
    var periods: [Double] {
        let half = features / 2
        if half == 1 { return [minPeriod] }
        return (0..<half).map { minPeriod * pow(maxPeriod / minPeriod, Double($0) / Double(half - 1)) }
    }
}

/// The conditioning embedding of the U-Net: e = silu(mlp2(silu(mlp1(phi(s))))), where phi concatenates, per scalar s_j,
/// [cos(2 pi s_j / P_k)..., sin(2 pi s_j / P_k)...] (computed in Double); every residual block reads e.
public struct ConditioningEmbedding: Sendable {
    /// The trainable tensors (and, as the same type, their gradients).
    public struct Parameters: ParameterSet {
        public var mlp1: LinearLayer.Parameters, mlp2: LinearLayer.Parameters

        /// Visits mlp1, mlp2.
        public mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
            try mlp1.visit(prefix + "mlp1.", body)
            try mlp2.visit(prefix + "mlp2.", body)
        }
    }

    /// What `backward` needs from the forward pass.
    public struct Cache: Sendable {
        var mlp1: LinearLayer.Cache, hidden: Tensor, mlp2: LinearLayer.Cache, output: Tensor
    }

    public let scalars: [ScalarFeatures]
    public let mlp1: LinearLayer, mlp2: LinearLayer

    /// An embedding of `scalars` into `width` features.
    public init(scalars: [ScalarFeatures], width: Int) {
        self.scalars = scalars
        mlp1 = LinearLayer(inFeatures: scalars.reduce(0) { $0 + $1.features }, outFeatures: width)
        mlp2 = LinearLayer(inFeatures: width, outFeatures: width)
    }

    /// PyTorch's default initialisation.
    public func initialParameters(_ rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(mlp1: mlp1.initialParameters(&rng), mlp2: mlp2.initialParameters(&rng))
    }

    /// The Fourier features [N, F] of scalars [N, S] (S = `scalars.count`).
    public func features(_ s: Tensor) throws -> Tensor {
        guard s.rank == 2, s.shape[1] == scalars.count else {
            throw KernelError.shapeMismatch(op: "conditioningEmbedding", detail: "scalars are \(s.shape), expected [N, \(scalars.count)]")
        }
        let n = s.shape[0], f = mlp1.inFeatures
        let periods = scalars.map(\.periods)
        return Tensor(unsafeUninitializedShape: [n, f]) { out in
            for i in 0..<n {
                var o = i * f
                for (j, ps) in periods.enumerated() {
                    let v = Double(s[i, j])
                    for (k, period) in ps.enumerated() {
                        let angle = 2 * Double.pi * v / period
                        out[o + k] = Float(cos(angle))
                        out[o + ps.count + k] = Float(sin(angle))
                    }
                    o += 2 * ps.count
                }
            }
        }
    }

    /// e [N, width] for scalars [N, S].
    public func forward(_ s: Tensor, _ p: Parameters) throws -> (Tensor, Cache) {
        let (h, c1) = try mlp1.forward(try features(s), p.mlp1)
        let a = Activations.silu(h)
        let (o, c2) = try mlp2.forward(a, p.mlp2)
        return (Activations.silu(o), Cache(mlp1: c1, hidden: h, mlp2: c2, output: o))
    }

    /// e without a cache (inference): the same bits as `forward`.
    public func infer(_ s: Tensor, _ p: Parameters) throws -> Tensor {
        let h = try mlp1.infer(try features(s), p.mlp1)
        return Activations.silu(try mlp2.infer(Activations.silu(h), p.mlp2))
    }
}

import Foundation
import XCTest
import WXCore
import WXKernels
import WXNN

/// A Double tensor for the plain reference implementations.
struct RefTensor {
    var shape: [Int]
    var v: [Double]
    init(_ shape: [Int], _ v: [Double]) { precondition(shape.reduce(1, *) == v.count); self.shape = shape; self.v = v }
    init(_ t: Tensor) { self.init(t.shape, t.array.map(Double.init)) }
}

/// Named Double tensors: the parameters and inputs of a reference forward pass.
typealias RefValues = [String: RefTensor]

/// Plain loop implementations in Double of every op the networks use (the oracle of the WXNN tests).
enum Ref {
    static func conv(_ x: RefTensor, _ w: RefTensor, _ b: RefTensor, stride: Int = 1, padding: ConvPadding) throws -> RefTensor {
        let k = w.shape[2]
        func out(_ n: Int, _ p: ConvAxisPadding) -> Int { (n + 2 * p.amount - k) / stride + 1 }
        let shape = [x.shape[0], w.shape[0], out(x.shape[2], padding.height), out(x.shape[3], padding.width)]
        let y = try Conv2DReference.forward(input: x.v, inputShape: x.shape, weight: w.v, weightShape: w.shape, bias: b.v,
                                            stride: stride, padding: padding)
        return RefTensor(shape, y)
    }

    static func groupNorm(_ x: RefTensor, groups: Int, _ gamma: RefTensor, _ beta: RefTensor, eps: Double = 1e-5) -> RefTensor {
        let n = x.shape[0], c = x.shape[1], s = x.shape.dropFirst(2).reduce(1, *), cg = c / groups
        var y = x
        for sample in 0..<n {
            for g in 0..<groups {
                let base = (sample * c + g * cg) * s, count = cg * s
                let mean = (base..<(base + count)).reduce(0.0) { $0 + x.v[$1] } / Double(count)
                let variance = (base..<(base + count)).reduce(0.0) { $0 + (x.v[$1] - mean) * (x.v[$1] - mean) } / Double(count)
                for i in base..<(base + count) {
                    let ch = (i / s) % c
                    y.v[i] = (x.v[i] - mean) / (variance + eps).squareRoot() * gamma.v[ch] + beta.v[ch]
                }
            }
        }
        return y
    }

    static func silu(_ x: RefTensor) -> RefTensor { RefTensor(x.shape, x.v.map { $0 / (1 + exp(-$0)) }) }

    static func add(_ a: RefTensor, _ b: RefTensor) -> RefTensor { RefTensor(a.shape, zip(a.v, b.v).map(+)) }

    /// x [N, in] W^T + b.
    static func linear(_ x: RefTensor, _ w: RefTensor, _ b: RefTensor) -> RefTensor {
        let n = x.shape[0], i = x.shape[1], o = w.shape[0]
        var y = [Double](repeating: 0, count: n * o)
        for s in 0..<n { for r in 0..<o {
            var acc = b.v[r]
            for k in 0..<i { acc += x.v[s * i + k] * w.v[r * i + k] }
            y[s * o + r] = acc
        } }
        return RefTensor([n, o], y)
    }

    /// x (1 + scale[n, c]) + shift[n, c].
    static func film(_ x: RefTensor, _ scale: RefTensor, _ shift: RefTensor) -> RefTensor {
        let s = x.shape.dropFirst(2).reduce(1, *)
        return RefTensor(x.shape, x.v.indices.map { x.v[$0] * (1 + scale.v[$0 / s]) + shift.v[$0 / s] })
    }

    static func upsample2x(_ x: RefTensor) -> RefTensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var y = [Double](repeating: 0, count: n * c * 4 * h * w)
        for p in 0..<(n * c) { for i in 0..<(2 * h) { for j in 0..<(2 * w) {
            y[(p * 2 * h + i) * 2 * w + j] = x.v[(p * h + i / 2) * w + j / 2]
        } } }
        return RefTensor([n, c, 2 * h, 2 * w], y)
    }

    static func concat(_ a: RefTensor, _ b: RefTensor) -> RefTensor {
        let n = a.shape[0], s = a.shape.dropFirst(2).reduce(1, *), ca = a.shape[1], cb = b.shape[1]
        var y: [Double] = []
        for i in 0..<n { y += a.v[(i * ca * s)..<((i + 1) * ca * s)]; y += b.v[(i * cb * s)..<((i + 1) * cb * s)] }
        return RefTensor([n, ca + cb] + Array(a.shape.dropFirst(2)), y)
    }

    /// Columns [from, from + count) of a [N, F] matrix.
    static func columns(_ x: RefTensor, _ from: Int, _ count: Int) -> RefTensor {
        let n = x.shape[0], f = x.shape[1]
        return RefTensor([n, count], (0..<n).flatMap { i in x.v[(i * f + from)..<(i * f + from + count)] })
    }

    /// Multi-head self-attention without residual: proj(softmax(q^T k / sqrt(d)) v) over the H W tokens.
    static func attention(_ x: RefTensor, heads: Int, _ p: RefValues, _ prefix: String) -> RefTensor {
        let n = x.shape[0], c = x.shape[1], l = x.shape.dropFirst(2).reduce(1, *), d = c / heads
        var y = [Double](repeating: 0, count: x.v.count)
        for s in 0..<n {
            func project(_ name: String) -> [[Double]] {
                let w = p[prefix + name + ".weight"]!.v, b = p[prefix + name + ".bias"]!.v
                var out = [[Double]](repeating: [Double](repeating: 0, count: c), count: l)
                for t in 0..<l {
                    for o in 0..<c {
                        var acc = b[o]
                        for i in 0..<c { acc += w[o * c + i] * x.v[(s * c + i) * l + t] }
                        out[t][o] = acc
                    }
                }
                return out
            }
            let q = project("q"), k = project("k"), v = project("v")
            var o = [[Double]](repeating: [Double](repeating: 0, count: c), count: l)
            for h in 0..<heads {
                let ch = (h * d)..<((h + 1) * d)
                for i in 0..<l {
                    var logits = [Double](repeating: 0, count: l)
                    for j in 0..<l {
                        var acc = 0.0
                        for cc in ch { acc += q[i][cc] * k[j][cc] }
                        logits[j] = acc / Double(d).squareRoot()
                    }
                    let m = logits.max()!
                    let e = logits.map { exp($0 - m) }
                    let z = e.reduce(0, +)
                    for cc in ch {
                        var acc = 0.0
                        for j in 0..<l { acc += e[j] / z * v[j][cc] }
                        o[i][cc] = acc
                    }
                }
            }
            let w = p[prefix + "proj.weight"]!.v, b = p[prefix + "proj.bias"]!.v
            for cc in 0..<c {
                for t in 0..<l {
                    var acc = b[cc]
                    for i in 0..<c { acc += w[cc * c + i] * o[t][i] }
                    y[(s * c + cc) * l + t] = acc
                }
            }
        }
        return RefTensor(x.shape, y)
    }

    /// Fourier features of scalars [N, S] as `ConditioningEmbedding.features` defines them.
    static func features(_ s: RefTensor, _ scalars: [ScalarFeatures]) -> RefTensor {
        var out: [Double] = []
        for i in 0..<s.shape[0] {
            for (j, f) in scalars.enumerated() {
                let half = f.features / 2
                let periods = (0..<half).map { half == 1 ? f.minPeriod : f.minPeriod * pow(f.maxPeriod / f.minPeriod, Double($0) / Double(half - 1)) }
                let a = periods.map { 2 * Double.pi * s.v[i * s.shape[1] + j] / $0 }
                out += a.map(cos) + a.map(sin)
            }
        }
        return RefTensor([s.shape[0], out.count / s.shape[0]], out)
    }

    /// The residual block under `prefix` (names as `ResBlock.Parameters`).
    static func resBlock(_ x: RefTensor, _ e: RefTensor?, _ p: RefValues, _ prefix: String, groups: Int, padding: ConvPadding) throws -> RefTensor {
        let a1 = silu(groupNorm(x, groups: groups, p[prefix + "norm1.weight"]!, p[prefix + "norm1.bias"]!))
        let h1 = try conv(a1, p[prefix + "conv1.weight"]!, p[prefix + "conv1.bias"]!, padding: padding)
        var f = groupNorm(h1, groups: groups, p[prefix + "norm2.weight"]!, p[prefix + "norm2.bias"]!)
        if let e, let w = p[prefix + "emb.weight"] {
            let st = linear(e, w, p[prefix + "emb.bias"]!), c = h1.shape[1]
            f = film(f, columns(st, 0, c), columns(st, c, c))
        }
        let h2 = try conv(silu(f), p[prefix + "conv2.weight"]!, p[prefix + "conv2.bias"]!, padding: padding)
        let skip = try p[prefix + "skip.weight"].map { try conv(x, $0, p[prefix + "skip.bias"]!, padding: .none) } ?? x
        return add(h2, skip)
    }

    /// y = x + attention(GroupNorm(x)) under `prefix`.
    static func attentionBlock(_ x: RefTensor, _ p: RefValues, _ prefix: String, groups: Int, heads: Int) -> RefTensor {
        add(x, attention(groupNorm(x, groups: groups, p[prefix + "norm.weight"]!, p[prefix + "norm.bias"]!), heads: heads, p, prefix))
    }

    /// The conditioning embedding e = silu(mlp2(silu(mlp1(phi(s))))).
    static func embedding(_ s: RefTensor, _ p: RefValues, _ scalars: [ScalarFeatures], _ prefix: String = "embed.") -> RefTensor {
        let h = silu(linear(features(s, scalars), p[prefix + "mlp1.weight"]!, p[prefix + "mlp1.bias"]!))
        return silu(linear(h, p[prefix + "mlp2.weight"]!, p[prefix + "mlp2.bias"]!))
    }

    /// The whole U-Net, written from its description and the parameter names alone.
    static func unet(_ config: UNetConfig, _ p: RefValues, x: RefTensor, condition: RefTensor?, scalars: RefTensor?) throws -> RefTensor {
        let pad: ConvPadding = config.padding == .globe ? ConvPadding(height: .reflect(1), width: .circular(1)) : ConvPadding(.zeros(1))
        let g = config.groups, heads = config.attentionHeads, levels = config.channels.count
        let e = scalars.map { embedding($0, p, config.scalars) }
        var h = try conv(condition.map { concat(x, $0) } ?? x, p["conv_in.weight"]!, p["conv_in.bias"]!, padding: pad)
        var skips = [h]
        for l in 0..<levels {
            for b in 0..<config.resBlocks {
                h = try resBlock(h, e, p, "down.\(l).res.\(b).", groups: g, padding: pad)
                if config.attentionLevels.contains(l) { h = attentionBlock(h, p, "down.\(l).attn.\(b).", groups: g, heads: heads) }
                skips.append(h)
            }
            if l < levels - 1 {
                h = try conv(h, p["down.\(l).downsample.weight"]!, p["down.\(l).downsample.bias"]!, stride: 2, padding: pad)
                skips.append(h)
            }
        }
        h = try resBlock(h, e, p, "mid.res.0.", groups: g, padding: pad)
        if config.midAttention { h = attentionBlock(h, p, "mid.attn.", groups: g, heads: heads) }
        h = try resBlock(h, e, p, "mid.res.1.", groups: g, padding: pad)
        for l in (0..<levels).reversed() {
            for b in 0...config.resBlocks {
                h = try resBlock(concat(h, skips.removeLast()), e, p, "up.\(l).res.\(b).", groups: g, padding: pad)
                if config.attentionLevels.contains(l) { h = attentionBlock(h, p, "up.\(l).attn.\(b).", groups: g, heads: heads) }
            }
            if l > 0 { h = try conv(upsample2x(h), p["up.\(l).upsample.conv.weight"]!, p["up.\(l).upsample.conv.bias"]!, padding: pad) }
        }
        let a = silu(groupNorm(h, groups: g, p["norm_out.weight"]!, p["norm_out.bias"]!))
        return try conv(a, p["conv_out.weight"]!, p["conv_out.bias"]!, padding: pad)
    }
}

/// Named Double copies of a parameter set's tensors.
func refValues<P: ParameterSet>(_ p: P, prefix: String = "") -> RefValues {
    Dictionary(uniqueKeysWithValues: p.named(prefix: prefix).map { ($0.name, RefTensor($0.tensor)) })
}

/// A parameter set with every tensor redrawn uniformly (norm weights around 1), so no gradient is zero by construction.
func randomized<P: ParameterSet>(_ p: P, seed: UInt64, scale: Float = 0.5) -> P {
    var rng = SplitMix64(seed: seed)
    var q = p
    q.visit("") { name, t in
        let isNormWeight = name.hasSuffix("norm1.weight") || name.hasSuffix("norm2.weight") || name.hasSuffix("norm.weight")
            || name.hasSuffix("norm_out.weight")
        t = Tensor(shape: t.shape, values: (0..<t.count).map { _ in
            let u = Float(Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1)
            return isNormWeight ? 1 + 0.3 * u : scale * u
        })
    }
    return q
}

/// A tensor of uniform values in [-1, 1).
func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = SplitMix64(seed: seed)
    return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1) })
}

/// Largest |ours - reference| over the largest |reference| (floored), i.e. error relative to the tensor's scale.
func relativeError(_ ours: [Double], _ reference: [Double], floor: Double = 1e-6) -> Double {
    var diff = 0.0, scale = floor
    for (a, b) in zip(ours, reference) { diff = max(diff, abs(a - b)); scale = max(scale, abs(b)) }
    return diff / scale
}

/// Checks gradients against central differences in Double of the reference loss L = sum(reference(values) * r).
///
/// `ours` maps each name (parameters and inputs) to our Float gradient; every element of every named tensor is
/// perturbed by +-h in the reference, and the largest error relative to the tensor's largest gradient must stay below
/// `tolerance`.
func checkGradients(_ what: String, values: RefValues, ours: [String: Tensor], r: [Double], tolerance: Double = 1e-3,
                    h: Double = 1e-5, reference: (RefValues) throws -> RefTensor,
                    file: StaticString = #filePath, line: UInt = #line) throws {
    func loss(_ v: RefValues) throws -> Double { zip(try reference(v).v, r).reduce(0) { $0 + $1.0 * $1.1 } }
    XCTAssertEqual(Set(ours.keys), Set(values.keys), "\(what): gradients for every named tensor", file: file, line: line)
    var fds: [String: [Double]] = [:]
    for name in values.keys.sorted() {
        guard let g = ours[name] else { continue }
        var v = values
        var fd = [Double](repeating: 0, count: values[name]!.v.count)
        for i in fd.indices {
            let x = values[name]!.v[i]
            v[name]!.v[i] = x + h
            let up = try loss(v)
            v[name]!.v[i] = x - h
            let down = try loss(v)
            v[name]!.v[i] = x
            fd[i] = (up - down) / (2 * h)
        }
        XCTAssertEqual(g.shape, values[name]!.shape, "\(what): shape of gradient \(name)", file: file, line: line)
        fds[name] = fd
    }
    // A gradient that is zero in exact arithmetic (e.g. of attention's key bias, which softmax cancels) is Float
    // rounding noise in ours: errors are measured against at least 1% of the largest gradient of the check.
    let floor = max(1e-6, 0.01 * fds.values.flatMap { $0.map(abs) }.max()!)
    for (name, fd) in fds.sorted(by: { $0.key < $1.key }) {
        let e = relativeError(ours[name]!.array.map(Double.init), fd, floor: floor)
        XCTAssertLessThanOrEqual(e, tolerance, "\(what): gradient of \(name), relative error \(e)", file: file, line: line)
    }
}

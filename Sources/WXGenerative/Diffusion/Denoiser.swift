import WXCore
import WXKernels
import WXNN

/// A preconditioned denoiser (EDM): D(x; sigma | c, lead) = c_skip x + c_out F(c_in x; c_noise, lead | c), F the U-Net,
/// each example with its own noise level.
public struct Denoiser: Sendable {
    /// The network F.
    public let net: UNet
    /// EDM's preconditioning.
    public let preconditioning: EDMPreconditioning

    /// What `backward` needs: the network's cache and each example's c_out.
    public struct Cache: Sendable {
        /// The U-Net's activations.
        public var net: UNet.Cache
        /// c_out per example.
        public var cOut: [Double]
    }

    /// A denoiser with network `net`.
    public init(net: UNet, preconditioning: EDMPreconditioning) {
        self.net = net
        self.preconditioning = preconditioning
    }

    /// D for x [N, V, H, W] at noise levels `sigma` [N], condition [N, C, H, W] and lead times (hours) [N].
    public func forward(_ x: Tensor, sigma: [Double], condition: Tensor, leadHours: [Double],
                        _ p: UNet.Parameters) throws -> (Tensor, Cache) {
        let (xIn, scalars) = networkInputs(x, sigma: sigma, leadHours: leadHours)
        let (f, cache) = try net.forward(xIn, condition: condition, scalars: scalars, p)
        return (denoised(x, f, sigma: sigma), Cache(net: cache, cOut: sigma.map(preconditioning.cOut)))
    }

    /// D as `forward` gives it, the same bits, through the network's inference pass (no cache): for sampling.
    /// `weights` keeps the network's weight transforms between calls with the same parameters.
    public func infer(_ x: Tensor, sigma: [Double], condition: Tensor, leadHours: [Double],
                      _ p: UNet.Parameters, weights: InferenceWeights? = nil) throws -> Tensor {
        let (xIn, scalars) = networkInputs(x, sigma: sigma, leadHours: leadHours)
        return denoised(x, try net.infer(xIn, condition: condition, scalars: scalars, p, weights: weights), sigma: sigma)
    }

    /// The network's input c_in x and its scalars [N, 2] (c_noise, lead).
    func networkInputs(_ x: Tensor, sigma: [Double], leadHours: [Double]) -> (Tensor, Tensor) {
        let n = x.shape[0], per = x.count / max(n, 1)
        precondition(sigma.count == n && leadHours.count == n, "Denoiser: one sigma and lead per example")
        let pc = preconditioning
        let xIn = Tensor(unsafeUninitializedShape: x.shape) { out in
            x.withUnsafeBufferPointer { px in
                for e in 0..<n { let c = Float(pc.cIn(sigma[e])); for k in e * per ..< (e + 1) * per { out[k] = c * px[k] } }
            }
        }
        let scalars = Tensor(shape: [n, 2], values: (0..<n).flatMap { [Float(pc.cNoise(sigma[$0])), Float(leadHours[$0])] })
        return (xIn, scalars)
    }

    /// D = c_skip x + c_out F.
    func denoised(_ x: Tensor, _ f: Tensor, sigma: [Double]) -> Tensor {
        let n = x.shape[0], per = x.count / max(n, 1), pc = preconditioning
        return Tensor(unsafeUninitializedShape: x.shape) { out in
            x.withUnsafeBufferPointer { px in f.withUnsafeBufferPointer { pf in
                for e in 0..<n {
                    let a = Float(pc.cSkip(sigma[e])), b = Float(pc.cOut(sigma[e]))
                    for k in e * per ..< (e + 1) * per { out[k] = a * px[k] + b * pf[k] }
                }
            } }
        }
    }

    /// Gradients of the parameters from the gradient of D (x is data, not trained).
    public func backward(_ gD: Tensor, _ cache: consuming Cache, _ p: UNet.Parameters) throws -> UNet.Parameters {
        let n = gD.shape[0], per = gD.count / max(n, 1), cOut = cache.cOut
        let gF = Tensor(unsafeUninitializedShape: gD.shape) { out in
            gD.withUnsafeBufferPointer { g in
                for e in 0..<n { let c = Float(cOut[e]); for k in e * per ..< (e + 1) * per { out[k] = c * g[k] } }
            }
        }
        return try net.backward(gF, cache.net, p).parameters
    }
}

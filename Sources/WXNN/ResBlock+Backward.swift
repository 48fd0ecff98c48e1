import WXCore
import WXKernels

extension ResBlock {
    /// Gradients of the input, the parameters and the embedding (nil without conditioning), from the output gradient.
    public func backward(_ gy: Tensor, _ cache: Cache, _ p: Parameters) throws -> (Tensor, Parameters, embedding: Tensor?) {
        let (ga2, gconv2) = try conv2.backward(gy, cache.conv2, p.conv2)
        let (gh1, gnorm2, gscale, gshift) = try norm2.backward(ga2!, cache.norm2, p.norm2)
        var gemb: LinearLayer.Parameters? = nil, ge: Tensor? = nil
        if let emb, let ce = cache.emb, let pe = p.emb, let gscale, let gshift {
            let gst = try ChannelConcat.forward([gscale, gshift])
            let (g, gp) = try emb.backward(gst, ce, pe)
            (ge, gemb) = (g, gp)
        }
        let (ga1, gconv1) = try conv1.backward(gh1, cache.conv1, p.conv1)
        let (gx1, gnorm1, _, _) = try norm1.backward(ga1!, cache.norm1, p.norm1)
        var gskip: ConvLayer.Parameters? = nil, gres = gy
        if let skip, let cs = cache.skip, let ps = p.skip {
            let (g, gp) = try skip.backward(gy, cs, ps)
            (gres, gskip) = (g!, gp)
        }
        let gx = try Elementwise.add(gx1, gres)
        return (gx, Parameters(norm1: gnorm1, conv1: gconv1, emb: gemb, norm2: gnorm2, conv2: gconv2, skip: gskip), ge)
    }
}

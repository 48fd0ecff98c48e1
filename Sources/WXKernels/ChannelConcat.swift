import WXCore

/// Concatenation of [N, C_i, ...] tensors along the channel axis (torch `cat(dim=1)`), the U-Net's skip connections.
public enum ChannelConcat {
    /// y = [a_0 | a_1 | ...] along axis 1; every part has the same N and trailing axes.
    public static func forward(_ parts: [Tensor]) throws -> Tensor {
        guard let first = parts.first, first.rank >= 2 else {
            throw KernelError.shapeMismatch(op: "channelConcat", detail: "expected at least one [N, C, ...] tensor")
        }
        let n = first.shape[0], trailing = Array(first.shape.dropFirst(2))
        for (i, p) in parts.enumerated() where p.rank != first.rank || p.shape[0] != n || Array(p.shape.dropFirst(2)) != trailing {
            throw KernelError.shapeMismatch(op: "channelConcat", detail: "part \(i) is \(p.shape), part 0 is \(first.shape)")
        }
        let s = trailing.reduce(1, *)
        let channels = parts.map { $0.shape[1] }, total = channels.reduce(0, +)
        return Tensor(unsafeUninitializedShape: [n, total] + trailing) { buf in
            let y = buf.baseAddress!
            Parallel.forEach(n * parts.count) { item in
                let sample = item / parts.count, k = item % parts.count
                let before = channels[..<k].reduce(0, +), c = channels[k]
                (y + (sample * total + before) * s).update(from: parts[k].storage.pointer + sample * c * s, count: c * s)
            }
        }
    }

    /// Splits the gradient of `forward` back into parts of `channels` channels each.
    public static func backward(gradOutput: Tensor, channels: [Int]) throws -> [Tensor] {
        guard gradOutput.rank >= 2, gradOutput.shape[1] == channels.reduce(0, +), channels.allSatisfy({ $0 >= 0 }) else {
            throw KernelError.shapeMismatch(op: "channelConcatBackward",
                                            detail: "gradOutput \(gradOutput.shape) does not split into channels \(channels)")
        }
        let n = gradOutput.shape[0], trailing = Array(gradOutput.shape.dropFirst(2))
        let s = trailing.reduce(1, *), total = gradOutput.shape[1]
        let g = gradOutput.storage.pointer
        var offset = 0
        return channels.map { c in
            let before = offset
            offset += c
            return Tensor(unsafeUninitializedShape: [n, c] + trailing) { buf in
                let d = buf.baseAddress!
                Parallel.forEach(n) { sample in
                    (d + sample * c * s).update(from: g + (sample * total + before) * s, count: c * s)
                }
            }
        }
    }
}

import WXCore

/// A group of named trainable tensors: a layer's or a model's parameters, or their gradients (the same type).
///
/// Names are PyTorch's dotted `state_dict` keys (`down.1.res.0.norm1.weight`), so a checkpoint loads into the
/// equivalent PyTorch module with `load_state_dict(strict=True)`.
public protocol ParameterSet: Sendable {
    /// Calls `body` on every tensor with its dotted name under `prefix`, always in the same order.
    mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows
}

extension ParameterSet {
    /// Every tensor with its name, in visiting order.
    public func named(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        var copy = self
        var out: [(name: String, tensor: Tensor)] = []
        copy.visit(prefix) { name, t in out.append((name, t)) }
        return out
    }

    /// The tensors in visiting order.
    public var tensors: [Tensor] { named().map(\.tensor) }

    /// Number of scalar parameters.
    public var scalarCount: Int { named().reduce(0) { $0 + $1.tensor.count } }

    /// The same structure with every tensor zero (e.g. for moments).
    public func zeros() -> Self {
        var copy = self
        copy.visit("") { _, t in t = Tensor(zeros: t.shape) }
        return copy
    }

    /// A copy whose tensors own storage of their own (a plain copy shares storage until written).
    public func deepCopy() -> Self {
        var copy = self
        copy.visit("") { _, t in t = Tensor(shape: t.shape, values: t.array) }
        return copy
    }

    /// Replaces every tensor with the one of the same name in `tensors`, checking names and shapes.
    ///
    /// Throws `CheckpointError.missingTensor`, `.unexpectedTensor` or `.shapeMismatch` naming `source` and the tensor.
    public mutating func load(_ tensors: [String: Tensor], source: String, prefix: String = "") throws {
        var seen = Set<String>()
        try visit(prefix) { name, t in
            guard let found = tensors[name] else { throw CheckpointError.missingTensor(path: source, tensor: name) }
            guard found.shape == t.shape else {
                throw CheckpointError.shapeMismatch(path: source, tensor: name, expected: t.shape, found: found.shape)
            }
            t = found
            seen.insert(name)
        }
        if let extra = tensors.keys.filter({ $0.hasPrefix(prefix) && !seen.contains($0) }).sorted().first {
            throw CheckpointError.unexpectedTensor(path: source, tensor: extra)
        }
    }
}

/// A list of parameter sets named by their index (PyTorch's `ModuleList`: `res.0.`, `res.1.`, ...).
extension Array: ParameterSet where Element: ParameterSet {
    /// Visits element i under `prefix + "i."`.
    public mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
        for i in indices { try self[i].visit(prefix + "\(i).", body) }
    }
}

/// A parameter set that may be absent (e.g. the 1x1 skip convolution of a residual block that keeps its width).
extension Optional: ParameterSet where Wrapped: ParameterSet {
    /// Visits the wrapped set, if any.
    public mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
        if self != nil { try self!.visit(prefix, body) }
    }
}

/// Elementwise arithmetic over two parameter sets of the same structure (gradient accumulation, tests).
extension ParameterSet {
    /// self += other, tensor by tensor (the same structure).
    public mutating func add(_ other: Self) {
        let others = other.tensors
        var i = 0
        visit("") { _, t in
            let o = others[i]
            precondition(o.shape == t.shape, "ParameterSet.add: shapes differ")
            t.withUnsafeMutableBufferPointer { d in
                o.withUnsafeBufferPointer { s in for k in 0..<d.count { d[k] += s[k] } }
            }
            i += 1
        }
    }
}

import Foundation
import WXCore
import WXKernels

/// Transforms of a model's convolution weights kept from one inference pass to the next (`UNet.infer`'s `weights`):
/// each made by the first pass that needs it and found again by the storage of the weights it holds, so weights
/// changed since (a new storage) get a new transform. For callers that run many passes with the same parameters.
public final class InferenceWeights: @unchecked Sendable {
    private var winograd: [ObjectIdentifier: WinogradWeights] = [:]
    private let lock = NSLock()

    /// An empty set, filled by the passes that use it.
    public init() {}

    /// The Winograd transform of `weight` when a pass at `stride` can use one, made on first use.
    func winograd(_ weight: Tensor, stride: Int) throws -> WinogradWeights? {
        guard WinogradWeights.suit(weight, stride: stride) else { return nil }
        lock.lock()
        defer { lock.unlock() }
        let key = ObjectIdentifier(weight.storage)
        if let w = winograd[key] { return w }
        let w = try WinogradWeights(weight)
        winograd[key] = w
        return w
    }
}

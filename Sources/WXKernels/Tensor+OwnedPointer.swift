import WXCore

extension Tensor {
    /// A mutable pointer to the elements of a tensor this code just created (and so owns uniquely).
    var ownedPointer: UnsafeMutablePointer<Float> {
        mutating get {
            withUnsafeMutableBufferPointer { $0.baseAddress! }
        }
    }
}

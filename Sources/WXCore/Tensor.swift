/// Aligned, reference-counted float32 storage shared copy-on-write by `Tensor` values.
public final class TensorStorage: @unchecked Sendable {
    /// Byte alignment of every allocation (one cache line, enough for AVX-512 loads).
    public static let alignment = 64
    /// Start of the element buffer.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of elements the buffer holds.
    public let count: Int
    /// The allocation `pointer` lies in.
    private let block: UnsafeMutableRawPointer

    /// Allocates `count` zeroed elements.
    public convenience init(count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// Allocates `count` elements without zero-filling them: the caller must write every element before reading any.
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        // Plain malloc alignment, aligned up by hand: glibc then serves a large buffer freed by one call to the next
        // from its heap, where an over-aligned allocation is a fresh mmap every time (a page fault per 4 KiB touched).
        block = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride + TensorStorage.alignment,
                                                 alignment: MemoryLayout<Float>.alignment)
        pointer = block.alignedUp(toMultipleOf: TensorStorage.alignment).bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// A new storage with the same elements.
    public func copy() -> TensorStorage {
        let s = TensorStorage(uninitializedCount: count)
        s.pointer.initialize(from: pointer, count: count)
        return s
    }

    deinit { block.deallocate() }
}

/// A dense, contiguous, row-major float32 tensor (NCHW for images), with value semantics.
public struct Tensor: Sendable {
    /// Extent of each axis, outermost first.
    public private(set) var shape: [Int]
    /// The element buffer (shared until written).
    public private(set) var storage: TensorStorage

    /// Number of elements.
    public var count: Int { storage.count }
    /// Number of axes.
    public var rank: Int { shape.count }

    /// A zero-filled tensor of the given shape.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        self.shape = shape
        self.storage = TensorStorage(count: shape.reduce(1, *))
    }

    /// A tensor of the given shape whose elements `body` writes, every one of them, in place of a zero fill
    /// (for kernels that overwrite their whole output: skipping the fill saves a pass over memory).
    public init(unsafeUninitializedShape shape: [Int],
                initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        self.shape = shape
        self.storage = TensorStorage(uninitializedCount: shape.reduce(1, *))
        try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// A tensor of the given shape holding `values` in row-major order.
    public init(shape: [Int], values: [Float]) {
        let n = shape.reduce(1, *)
        precondition(n == values.count, "Tensor: shape \(shape) needs \(n) values, got \(values.count)")
        self.init(zeros: shape)
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: n) }
    }

    /// A tensor of the given shape with every element equal to `value`.
    public init(shape: [Int], repeating value: Float) {
        self.init(zeros: shape)
        storage.pointer.update(repeating: value, count: count)
    }

    /// The elements as an array, in row-major order.
    public var array: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// Reads the elements.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Writes the elements, copying the storage first if it is shared.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Ensures this value owns its storage.
    @usableFromInline
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let n = newShape.reduce(1, *)
        precondition(n == count, "Tensor.reshaped: \(shape) has \(count) elements, \(newShape) needs \(n)")
        var t = self
        t.shape = newShape
        return t
    }

    /// Element at a multi-index (bounds-checked; for tests and references, not hot loops).
    public subscript(_ index: Int...) -> Float {
        get { storage.pointer[offset(index)] }
        set { makeUnique(); storage.pointer[offset(index)] = newValue }
    }

    /// Row-major offset of a multi-index, with bounds checks.
    public func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "Tensor: index \(index) has rank \(index.count), tensor has rank \(rank)")
        var o = 0
        for (i, (x, n)) in zip(index, shape).enumerated() {
            precondition(x >= 0 && x < n, "Tensor: index \(x) out of range 0..<\(n) on axis \(i)")
            o = o * n + x
        }
        return o
    }
}

/// CF packing of real values into int16: `packed = round_half_even((x - add_offset) / scale_factor)`,
/// unpacked as `x = packed * scale_factor + add_offset` (CF-1.8 §8.1); NaN is stored as `_FillValue` -32767.
///
/// `scale_factor` and `add_offset` are stored as float32 attributes (so readers unpack to float32),
/// hence they are `Float` here and packing uses exactly the stored values.
public struct CFPacking: Sendable, Equatable {
    /// The `scale_factor` attribute (the packing step).
    public var scaleFactor: Float
    /// The `add_offset` attribute.
    public var addOffset: Float

    /// The `_FillValue` of packed variables (missing values).
    public static let fillValue: Int16 = -32767
    /// Packed values that are data (the fill and -32768 are excluded).
    public static let validRange: ClosedRange<Int> = -32766...32767

    /// A packing with the given step and offset.
    public init(scaleFactor: Float, addOffset: Float) {
        self.scaleFactor = scaleFactor
        self.addOffset = addOffset
    }

    /// A value that does not fit the int16 range (or is infinite), at a flat index of the packed buffer.
    public struct OutOfRange: Error, CustomStringConvertible, Sendable {
        /// Flat index of the value in the buffer.
        public var index: Int
        /// The value.
        public var value: Double
        /// What it would pack to before clipping.
        public var packed: Double
        /// Explanation.
        public var description: String {
            "value \(value) at index \(index) packs to \(packed), outside \(CFPacking.validRange)"
        }
    }

    /// The packed value of `x` before the range check (NaN for NaN).
    @inline(__always)
    public func packedReal(_ x: Double) -> Double {
        ((x - Double(addOffset)) / Double(scaleFactor)).rounded(.toNearestOrEven)
    }

    /// Packs `values` into `out` (same count); NaN becomes the fill value; throws `OutOfRange` for the first value
    /// that does not fit, before which `out` may be partly filled.
    public func pack<E: BinaryFloatingPoint>(_ values: UnsafeBufferPointer<E>, into out: UnsafeMutableBufferPointer<Int16>) throws {
        precondition(values.count == out.count, "CFPacking.pack: buffers differ in size")
        // Float and Double go through concrete loops: a generic conversion per element is several times slower.
        if E.self == Float.self {
            try values.withMemoryRebound(to: Float.self) { v in try packLoop(count: v.count, out) { Double(v[$0]) } }
        } else if E.self == Double.self {
            try values.withMemoryRebound(to: Double.self) { v in try packLoop(count: v.count, out) { v[$0] } }
        } else {
            try packLoop(count: values.count, out) { Double(values[$0]) }
        }
    }

    @inline(__always)
    private func packLoop(count: Int, _ out: UnsafeMutableBufferPointer<Int16>, _ value: (Int) -> Double) throws {
        let lo = Double(CFPacking.validRange.lowerBound), hi = Double(CFPacking.validRange.upperBound)
        for i in 0..<count {
            let x = value(i)
            if x.isNaN {
                out[i] = CFPacking.fillValue
                continue
            }
            let q = packedReal(x)
            guard q >= lo && q <= hi else { throw OutOfRange(index: i, value: x, packed: q) }
            out[i] = Int16(q)
        }
    }

    /// The real value of a packed one (NaN for the fill value).
    public func unpack(_ p: Int16) -> Double {
        p == CFPacking.fillValue ? .nan : Double(p) * Double(scaleFactor) + Double(addOffset)
    }
}

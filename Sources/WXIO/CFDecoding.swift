import Foundation
import WXCore

/// CF masking and unpacking of one variable, done the way netCDF4-python does it (auto mask and scale).
///
/// Masking compares in the packed (stored) type: values equal to `missing_value` or `_FillValue`, or
/// outside `valid_range` (else `valid_min`/`valid_max`), become NaN. An attribute that cannot be cast
/// to the stored type without change (e.g. `_FillValue = NaN` stored as a double on a short variable, as
/// in ERA-Interim's eraint_uvz.nc) is ignored, as netCDF4-python ignores it with a warning; then, as
/// there, the netCDF default fill value of the type masks instead (for NetCDF files; not for byte types
/// when the variable's fill mode is off). Unpacking is `packed * scale_factor + add_offset` in Double.
public struct CFDecoding: Sendable, Equatable {
    /// Type the stored values are interpreted as (unsigned when `_Unsigned = "true"`).
    public var storedType: GriddedDataType
    /// Exact packed values that mark a missing point.
    public var maskValues: [Double]
    /// True when NaN marks a missing point (a NaN `_FillValue`/`missing_value` on a float variable).
    public var maskNaN: Bool
    /// Packed values below this are missing.
    public var validMin: Double?
    /// Packed values above this are missing.
    public var validMax: Double?
    /// Multiplier applied after masking (nil = none).
    public var scaleFactor: Double?
    /// Offset added after scaling (nil = none).
    public var addOffset: Double?
    /// Attributes present but not used because they cannot be cast safely to the stored type.
    public var ignoredAttributes: [String]
    /// True when unpacking is done in Float arithmetic: `scale_factor`/`add_offset` stored as float32 on
    /// 8/16-bit integer or float32 data, where numpy (and so netCDF4-python and xarray) compute in float32.
    public var unpackInFloat32: Bool

    /// Attribute names consumed by decoding (dropped from a decoded field's attributes).
    public static let packingAttributes: Set<String> = ["_FillValue", "missing_value", "valid_range", "valid_min",
                                                       "valid_max", "scale_factor", "add_offset", "_Unsigned"]

    /// True when decoding changes nothing (values pass through as stored, only converted).
    public var isIdentity: Bool {
        maskValues.isEmpty && !maskNaN && validMin == nil && validMax == nil && scaleFactor == nil && addOffset == nil
    }

    /// The rules for a variable of `dataType` with these attributes. `netCDFDefaultFill` applies the netCDF
    /// default fill value when no usable `_FillValue` exists (true for NetCDF files); `fillModeOff` is the
    /// variable's no-fill flag (byte variables then get no default fill).
    /// `float32Attributes` names the attributes stored as float32 (for the unpacking precision).
    public init(dataType: GriddedDataType, attributes: Attributes, netCDFDefaultFill: Bool, fillModeOff: Bool = false,
                float32Attributes: Set<String> = []) {
        let unsigned = dataType.isInteger && ["true", "True"].contains(attributes["_Unsigned"]?.stringValue ?? "")
        storedType = unsigned ? dataType.unsignedCounterpart : dataType
        maskValues = []
        maskNaN = false
        ignoredAttributes = []
        unpackInFloat32 = false

        // numpy.array(att, dtype) must equal att for the attribute to be used; then a view as unsigned if asked.
        func cast(_ name: String) -> [Double]? {
            guard let vals = attributes[name]?.doubleValues, !vals.isEmpty else {
                if attributes[name] != nil { ignoredAttributes.append(name) }
                return nil
            }
            var out: [Double] = []
            for v in vals {
                guard let c = CFDecoding.safeCast(v, to: dataType) else { ignoredAttributes.append(name); return nil }
                out.append(unsigned ? CFDecoding.unsignedView(c, of: dataType) : c)
            }
            return out
        }
        if let m = cast("missing_value") {
            for v in m { if v.isNaN { maskNaN = true } else { maskValues.append(v) } }
        }
        if let f = cast("_FillValue") {
            for v in f.prefix(1) { if v.isNaN { maskNaN = true } else { maskValues.append(v) } }
        } else if netCDFDefaultFill, dataType.isNumeric,
                  !(fillModeOff && (dataType == .int8 || dataType == .uint8)),
                  let d = CFDecoding.netCDFDefaultFill(dataType) {
            maskValues.append(d)
        }
        if let r = cast("valid_range"), r.count == 2 {
            validMin = r[0]; validMax = r[1]
        } else {
            if attributes["valid_range"] != nil, !ignoredAttributes.contains("valid_range") { ignoredAttributes.append("valid_range") }
            validMin = cast("valid_min")?.first
            validMax = cast("valid_max")?.first
        }
        let s = attributes["scale_factor"]?.doubleValue
        let o = attributes["add_offset"]?.doubleValue
        if attributes["scale_factor"] != nil && s == nil || attributes["add_offset"] != nil && o == nil {
            ignoredAttributes.append("scale_factor/add_offset")
        } else if let s, let o {
            if o != 0 || s != 1 { scaleFactor = s; addOffset = o }
        } else if let s, s != 1 {
            scaleFactor = s
        } else if let o, o != 0 {
            addOffset = o
        }
        maskValues = Array(Set(maskValues)).sorted()
        let packing = ["scale_factor", "add_offset"].filter { attributes[$0] != nil }
        let smallType: Set<GriddedDataType> = [.int8, .uint8, .int16, .uint16, .float32]
        unpackInFloat32 = (scaleFactor != nil || addOffset != nil) && smallType.contains(storedType)
            && !packing.isEmpty && packing.allSatisfy { float32Attributes.contains($0) }
    }

    /// The value numpy would store when casting `v` to `type`, if that cast is exact (or NaN to NaN); else nil.
    static func safeCast(_ v: Double, to type: GriddedDataType) -> Double? {
        switch type {
        case .float64: return v
        case .float32:
            let f = Double(Float(v))
            return (f == v || (f.isNaN && v.isNaN)) ? f : nil
        default:
            guard v.isFinite, v == v.rounded(), let r = integerRange(type), v >= r.lowerBound, v <= r.upperBound else { return nil }
            return v
        }
    }

    private static func integerRange(_ t: GriddedDataType) -> ClosedRange<Double>? {
        switch t {
        case .int8: return -128...127
        case .uint8: return 0...255
        case .int16: return -32768...32767
        case .uint16: return 0...65535
        case .int32: return -2_147_483_648...2_147_483_647
        case .uint32: return 0...4_294_967_295
        case .int64: return -9.223372036854775808e18...9.223372036854775807e18
        case .uint64: return 0...1.8446744073709551615e19
        default: return nil
        }
    }

    private static func unsignedView(_ v: Double, of t: GriddedDataType) -> Double {
        guard v < 0, let size = t.byteSize else { return v }
        return v + pow(2, Double(8 * size))
    }

    /// The netCDF default fill value of a type (NC_FILL_*), as netCDF4-python's default_fillvals.
    public static func netCDFDefaultFill(_ t: GriddedDataType) -> Double? {
        switch t {
        case .int8: return -127
        case .uint8: return 255
        case .int16: return -32767
        case .uint16: return 65535
        case .int32: return -2_147_483_647
        case .uint32: return 4_294_967_295
        case .int64: return Double(Int64(-9_223_372_036_854_775_806)) // compared in Double: int64 masks are approximate beyond 2^53
        case .uint64: return Double(UInt64(18_446_744_073_709_551_614))
        case .float32: return Double(Float(9.9692099683868690e+36))
        case .float64: return 9.9692099683868690e+36
        default: return nil
        }
    }

    /// Decodes `count` stored values of `storedType` at `raw` into `out` (NaN where missing).
    public func decode<Out: BinaryFloatingPoint>(raw: UnsafeRawPointer, count: Int, into out: UnsafeMutablePointer<Out>) {
        // Dispatch to concrete Float/Double so the loops are specialised here (callers in other modules are generic).
        if Out.self == Float.self {
            let o = UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self)
            if storedType == .float32 && scaleFactor == nil && addOffset == nil {
                return maskFloats(raw.assumingMemoryBound(to: Float.self), count, o)
            }
            decodeAll(raw, count, o)
        } else if Out.self == Double.self {
            let o = UnsafeMutableRawPointer(out).assumingMemoryBound(to: Double.self)
            if storedType == .float32 && scaleFactor == nil && addOffset == nil {
                return maskFloatsToDoubles(raw.assumingMemoryBound(to: Float.self), count, o)
            }
            decodeAll(raw, count, o)
        } else {
            decodeAll(raw, count, out)
        }
    }

    /// float32 to Float with masking only: compares in Float (exact, as the masks are float32 values) so the loop
    /// vectorises; NaN input stays NaN, so a NaN mask needs no test. `raw` and `out` may be the same memory.
    private func maskFloats(_ p: UnsafePointer<Float>, _ n: Int, _ out: UnsafeMutablePointer<Float>) {
        let masks = maskValues.map { Float($0) }
        let m0 = masks.count > 0 ? masks[0] : .nan, m1 = masks.count > 1 ? masks[1] : .nan, m2 = masks.count > 2 ? masks[2] : .nan
        let lo = Float(validMin ?? -.infinity), hi = Float(validMax ?? .infinity)
        let extra = Array(masks.dropFirst(3))
        let ranged = validMin != nil || validMax != nil
        for i in 0..<n {
            let x = p[i]
            var missing = x == m0 || x == m1 || x == m2
            if ranged { missing = missing || x < lo || x > hi }
            out[i] = missing ? .nan : x
        }
        if !extra.isEmpty { for i in 0..<n where extra.contains(out[i]) { out[i] = .nan } }
    }

    /// float32 to Double with masking only, as `run` decodes it (the same bits) but comparing in Float, which is exact
    /// because masks and valid bounds of a float32 variable are float32 values, and without branches so it vectorises.
    private func maskFloatsToDoubles(_ p: UnsafePointer<Float>, _ n: Int, _ out: UnsafeMutablePointer<Double>) {
        let masks = maskValues.map { Float($0) }
        let m0 = masks.count > 0 ? masks[0] : .nan, m1 = masks.count > 1 ? masks[1] : .nan, m2 = masks.count > 2 ? masks[2] : .nan
        let lo = Float(validMin ?? -.infinity), hi = Float(validMax ?? .infinity)
        let extra = Array(maskValues.dropFirst(3))
        let nanMask = maskNaN
        for i in 0..<n {
            let x = p[i]
            let missing = (nanMask && x != x) || x < lo || x > hi || x == m0 || x == m1 || x == m2
            out[i] = missing ? .nan : Double(x)
        }
        if !extra.isEmpty { for i in 0..<n where extra.contains(out[i]) { out[i] = .nan } }
    }

    private func decodeAll<Out: BinaryFloatingPoint>(_ raw: UnsafeRawPointer, _ count: Int, _ out: UnsafeMutablePointer<Out>) {
        switch storedType {
        case .int8: run(raw.assumingMemoryBound(to: Int8.self), count, out)
        case .uint8: run(raw.assumingMemoryBound(to: UInt8.self), count, out)
        case .int16: run(raw.assumingMemoryBound(to: Int16.self), count, out)
        case .uint16: run(raw.assumingMemoryBound(to: UInt16.self), count, out)
        case .int32: run(raw.assumingMemoryBound(to: Int32.self), count, out)
        case .uint32: run(raw.assumingMemoryBound(to: UInt32.self), count, out)
        case .int64: run(raw.assumingMemoryBound(to: Int64.self), count, out)
        case .uint64: run(raw.assumingMemoryBound(to: UInt64.self), count, out)
        case .float32: run(raw.assumingMemoryBound(to: Float.self), count, out)
        case .float64: run(raw.assumingMemoryBound(to: Double.self), count, out)
        default: for i in 0..<count { out[i] = .nan }
        }
    }

    @inline(__always)
    private func run<R: CFStoredScalar, Out: BinaryFloatingPoint>(_ p: UnsafePointer<R>, _ n: Int, _ out: UnsafeMutablePointer<Out>) {
        if isIdentity {
            for i in 0..<n { out[i] = Out(p[i].doubleValue) }
            return
        }
        // Up to three mask values compare as scalars (NaN pads never match); more fall back to a loop.
        let masks = maskValues, nanMask = maskNaN
        let m0 = masks.count > 0 ? masks[0] : .nan, m1 = masks.count > 1 ? masks[1] : .nan, m2 = masks.count > 2 ? masks[2] : .nan
        let extra = Array(masks.dropFirst(3))
        let lo = validMin ?? -.infinity, hi = validMax ?? .infinity
        @inline(__always) func isMissing(_ d: Double) -> Bool {
            if (nanMask && d.isNaN) || d < lo || d > hi || d == m0 || d == m1 || d == m2 { return true }
            if !extra.isEmpty { for m in extra where d == m { return true } }
            return false
        }
        if unpackInFloat32 {
            let sf = scaleFactor.map { Float($0) } ?? 1, of = addOffset.map { Float($0) } ?? 0
            let hasS = scaleFactor != nil, hasO = addOffset != nil
            for i in 0..<n {
                let d = p[i].doubleValue
                if isMissing(d) { out[i] = .nan; continue }
                var v = Float(d)
                if hasS { v = v * sf }
                if hasO { v = v + of }
                out[i] = Out(v)
            }
            return
        }
        let s = scaleFactor ?? 1, o = addOffset ?? 0
        let hasS = scaleFactor != nil, hasO = addOffset != nil
        for i in 0..<n {
            let d = p[i].doubleValue
            if isMissing(d) { out[i] = .nan; continue }
            var v = d
            if hasS { v = v * s }
            if hasO { v = v + o }
            out[i] = Out(v)
        }
    }

    /// The attributes a decoded field keeps: all but the packing and masking ones.
    public static func decodedAttributes(_ a: Attributes) -> Attributes { a.filter { !packingAttributes.contains($0.key) } }
}

/// A stored numeric type CF decoding reads (all netCDF/HDF5 integer and float types).
protocol CFStoredScalar { var doubleValue: Double { get } }
extension Int8: CFStoredScalar { var doubleValue: Double { Double(self) } }
extension UInt8: CFStoredScalar { var doubleValue: Double { Double(self) } }
extension Int16: CFStoredScalar { var doubleValue: Double { Double(self) } }
extension UInt16: CFStoredScalar { var doubleValue: Double { Double(self) } }
extension Int32: CFStoredScalar { var doubleValue: Double { Double(self) } }
extension UInt32: CFStoredScalar { var doubleValue: Double { Double(self) } }
extension Int64: CFStoredScalar { var doubleValue: Double { Double(self) } }
extension UInt64: CFStoredScalar { var doubleValue: Double { Double(self) } }
extension Float: CFStoredScalar { var doubleValue: Double { Double(self) } }
extension Double: CFStoredScalar { var doubleValue: Double { self } }

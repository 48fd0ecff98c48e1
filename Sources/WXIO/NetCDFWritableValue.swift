import CNetCDF

/// A Swift number type that `NetCDFWriter` can write into a variable (netCDF converts it to the variable's type).
public protocol NetCDFWritableValue: Sendable {
    /// The netCDF type this Swift type is in memory.
    static var netCDFType: NetCDFWriter.DataType { get }
}

extension Float: NetCDFWritableValue { public static var netCDFType: NetCDFWriter.DataType { .float } }
extension Double: NetCDFWritableValue { public static var netCDFType: NetCDFWriter.DataType { .double } }
extension Int16: NetCDFWritableValue { public static var netCDFType: NetCDFWriter.DataType { .int16 } }
extension Int32: NetCDFWritableValue { public static var netCDFType: NetCDFWriter.DataType { .int32 } }
extension Int64: NetCDFWritableValue { public static var netCDFType: NetCDFWriter.DataType { .int64 } }

extension NetCDFWriter {
    /// The numeric variable types the writer can create.
    public enum DataType: String, Sendable, CaseIterable {
        /// 32-bit float (NC_FLOAT).
        case float
        /// 64-bit float (NC_DOUBLE).
        case double
        /// 16-bit signed integer (NC_SHORT), used for CF packing.
        case int16
        /// 32-bit signed integer (NC_INT).
        case int32
        /// 64-bit signed integer (NC_INT64).
        case int64

        /// The netCDF-C type code.
        var ncType: nc_type {
            switch self {
            case .float: return nc_type(NC_FLOAT)
            case .double: return nc_type(NC_DOUBLE)
            case .int16: return nc_type(NC_SHORT)
            case .int32: return nc_type(NC_INT)
            case .int64: return nc_type(NC_INT64)
            }
        }
    }

    /// zlib compression of a variable's chunks.
    public struct Compression: Sendable, Equatable {
        /// zlib level 1...9.
        public var level: Int
        /// Byte shuffle before compression (helps packed and float data).
        public var shuffle: Bool

        /// Compression at `level` (1...9), with or without shuffle.
        public init(level: Int, shuffle: Bool = true) {
            self.level = level
            self.shuffle = shuffle
        }
    }
}

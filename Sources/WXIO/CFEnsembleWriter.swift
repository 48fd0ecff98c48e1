import Foundation
import WXCore

/// Writes a CF-1.8 ensemble file with dims (member, init_time or time, [lead_time,] [level,] latitude, longitude),
/// one member of one variable at a time, so memory does not grow with the ensemble size.
///
/// Every 2-D field is one zlib+shuffle chunk. The file appears under its final name only when `finish()`
/// has checked that every member of every variable was written; any error removes the temporary file.
public final class CFEnsembleWriter {
    /// Whether the time axis holds forecast initialisation times or valid times.
    public enum TimeKind: Sendable {
        /// `init_time` (standard_name forecast_reference_time), usually with `lead_time`.
        case initTime
        /// `time` (standard_name time, axis T): an ensemble of analyses or of valid times.
        case time
    }

    private let core: CFRecordFileWriter

    /// The final path of the file.
    public var path: String { core.path }
    /// Number of members.
    public var memberCount: Int { core.record.values.count }
    /// The shape of one member of one variable: [time, lead?, level?, latitude, longitude].
    public var memberShape: [Int] { core.inner.map { $0.values.count } }
    /// Values in one member of one variable.
    public var memberValueCount: Int { core.recordSize }
    /// Values of scratch memory the writer holds (never more than one member; the data itself is not kept).
    public var scratchValueCount: Int { core.scratchValueCount }

    /// Creates the (temporary) file and writes its coordinates and metadata.
    ///
    /// - Parameters:
    ///   - members: member numbers (the `member` coordinate, standard_name realization), e.g. `Array(0..<31)`.
    ///   - times: initialisation times (or valid times, with `timeKind: .time`).
    ///   - leadTimeHours: forecast periods in hours, or nil for no `lead_time` dimension.
    ///   - levels: an optional vertical axis.
    ///   - latitudes, longitudes: the grid in degrees north / east, in file order.
    ///   - variables: data variables, each float32 with NaN fill or int16-packed.
    ///   - compression: zlib level and shuffle for the data variables.
    public init(path: String, members: [Int], times: CFTimeAxis, timeKind: TimeKind = .initTime, leadTimeHours: [Double]?,
                levels: CFVerticalAxis? = nil, latitudes: [Double], longitudes: [Double], variables: [CFDataVariable],
                global: CFGlobalAttributes, compression: NetCDFWriter.Compression = .init(level: 4, shuffle: true)) throws {
        let member = CFAxis(name: "member", role: .member, values: members.map(Double.init), type: .int32, attributes: [
            "standard_name": .string("realization"), "long_name": .string("ensemble member number"), "units": .string("1"),
        ])
        var inner: [CFAxis] = []
        switch timeKind {
        case .initTime:
            inner.append(CFAxis(name: "init_time", role: .initTime, values: times.hours, type: .double, attributes: [
                "standard_name": .string("forecast_reference_time"), "long_name": .string("forecast initialisation time"),
                "units": .string(times.units), "calendar": .string(times.calendar),
            ]))
        case .time:
            inner.append(CFAxis(name: "time", role: .time, values: times.hours, type: .double, attributes: [
                "standard_name": .string("time"), "long_name": .string("valid time"), "axis": .string("T"),
                "units": .string(times.units), "calendar": .string(times.calendar),
            ]))
        }
        if let leads = leadTimeHours {
            inner.append(CFAxis(name: "lead_time", role: .leadTime, values: leads, type: .double, attributes: CFLeadTimeAxis.attributes))
        }
        inner += CFEnsembleWriter.spatialAxes(levels: levels, latitudes: latitudes, longitudes: longitudes)
        core = try CFRecordFileWriter(path: path, record: member, inner: inner, variables: variables, global: global,
                                      compression: compression)
    }

    /// The level (optional), latitude and longitude axes with their CF attributes.
    static func spatialAxes(levels: CFVerticalAxis?, latitudes: [Double], longitudes: [Double]) -> [CFAxis] {
        var axes: [CFAxis] = []
        if let z = levels {
            axes.append(CFAxis(name: z.name, role: .level, values: z.values, type: .double, attributes: [
                "standard_name": .string(z.standardName), "units": .string(z.units), "positive": .string(z.positive),
                "axis": .string("Z"),
            ]))
        }
        axes.append(CFAxis(name: "latitude", role: .latitude, values: latitudes, type: .float, attributes: [
            "standard_name": .string("latitude"), "long_name": .string("latitude"), "units": .string("degrees_north"),
            "axis": .string("Y"),
        ]))
        axes.append(CFAxis(name: "longitude", role: .longitude, values: longitudes, type: .float, attributes: [
            "standard_name": .string("longitude"), "long_name": .string("longitude"), "units": .string("degrees_east"),
            "axis": .string("X"),
        ]))
        return axes
    }

    /// Writes member `member` (index into `members`) of `variable` from a row-major buffer of `memberShape`; NaN is missing.
    public func write<E: BinaryFloatingPoint>(member: Int, variable: String, values: UnsafeBufferPointer<E>) throws {
        try core.write(record: member, variable: variable, values: values)
    }

    /// Writes member `member` of `variable` from an array of `memberShape` values; NaN is missing.
    public func write<E: BinaryFloatingPoint>(member: Int, variable: String, values: [E]) throws {
        try values.withUnsafeBufferPointer { try core.write(record: member, variable: variable, values: $0) }
    }

    /// Writes member `member` of `variable` from a field of one member whose axes (by role and size, in order,
    /// ignoring axes of size 1) and grid coordinates match the file's.
    public func write<E: BinaryFloatingPoint>(member: Int, variable: String, field: Field<E>) throws {
        try core.write(record: member, variable: variable, field: field, recordRole: .member)
    }

    /// Whether member `member` of `variable` has been written.
    public func isWritten(member: Int, variable: String) -> Bool { core.isWritten(record: member, variable: variable) }

    /// Checks every member of every variable was written, closes the file and renames it into place.
    public func finish() throws { try core.finish() }

    /// Abandons the output: removes the temporary file.
    public func discard() { core.file.discard() }
}

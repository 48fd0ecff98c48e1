import Foundation
import WXCore

/// Writes a CF-1.8 ensemble in the reforecast layout (init_time, member, lead_time, latitude, longitude), one init
/// time of one variable at a time, so a rollout can write each init as soon as its members are done.
///
/// Coordinates and attributes are those of `CFEnsembleWriter`; only the order of the init and member axes differs.
/// The file appears under its final name only when `finish()` has checked every init of every variable was written.
public final class CFReforecastWriter {
    private let core: CFRecordFileWriter

    /// The final path of the file.
    public var path: String { core.path }
    /// Number of init times.
    public var initCount: Int { core.record.values.count }
    /// The shape of one init of one variable: [member, lead_time, latitude, longitude].
    public var initShape: [Int] { core.inner.map { $0.values.count } }

    /// Creates the (temporary) file and writes its coordinates and metadata.
    public init(path: String, initTimes: CFTimeAxis, members: [Int], leadTimeHours: [Double], latitudes: [Double],
                longitudes: [Double], variables: [CFDataVariable], global: CFGlobalAttributes,
                compression: NetCDFWriter.Compression = .init(level: 4, shuffle: true)) throws {
        let initTime = CFAxis(name: "init_time", role: .initTime, values: initTimes.hours, type: .double, attributes: [
            "standard_name": .string("forecast_reference_time"), "long_name": .string("forecast initialisation time"),
            "units": .string(initTimes.units), "calendar": .string(initTimes.calendar),
        ])
        let member = CFAxis(name: "member", role: .member, values: members.map(Double.init), type: .int32, attributes: [
            "standard_name": .string("realization"), "long_name": .string("ensemble member number"), "units": .string("1"),
        ])
        let lead = CFAxis(name: "lead_time", role: .leadTime, values: leadTimeHours, type: .double, attributes: CFLeadTimeAxis.attributes)
        core = try CFRecordFileWriter(path: path, record: initTime,
                                      inner: [member, lead] + CFEnsembleWriter.spatialAxes(levels: nil, latitudes: latitudes, longitudes: longitudes),
                                      variables: variables, global: global, compression: compression)
    }

    /// Writes init `index` of `variable` from a row-major array of `initShape` values; NaN is missing.
    public func write<E: BinaryFloatingPoint>(init index: Int, variable: String, values: [E]) throws {
        try values.withUnsafeBufferPointer { try core.write(record: index, variable: variable, values: $0) }
    }

    /// Checks every init of every variable was written, closes the file and renames it into place.
    public func finish() throws { try core.finish() }

    /// Abandons the output: removes the temporary file.
    public func discard() { core.file.discard() }
}

import Foundation
import WXCore

/// Writes a CF-1.8 time series of gridded fields, dims (time, [level,] latitude, longitude), e.g. a truth or
/// analysis file, one time at a time or whole; the file appears under its final name only after `finish()`.
public final class CFTimeSeriesWriter {
    private let core: CFRecordFileWriter

    /// The final path of the file.
    public var path: String { core.path }
    /// Number of times.
    public var timeCount: Int { core.record.values.count }
    /// The shape of one time of one variable: [level?, latitude, longitude].
    public var frameShape: [Int] { core.inner.map { $0.values.count } }
    /// Values in one time of one variable.
    public var frameValueCount: Int { core.recordSize }

    /// Creates the (temporary) file and writes its coordinates and metadata.
    public init(path: String, times: CFTimeAxis, levels: CFVerticalAxis? = nil, latitudes: [Double], longitudes: [Double],
                variables: [CFDataVariable], global: CFGlobalAttributes,
                compression: NetCDFWriter.Compression = .init(level: 4, shuffle: true)) throws {
        let time = CFAxis(name: "time", role: .time, values: times.hours, type: .double, attributes: [
            "standard_name": .string("time"), "long_name": .string("valid time"), "axis": .string("T"),
            "units": .string(times.units), "calendar": .string(times.calendar),
        ])
        core = try CFRecordFileWriter(path: path, record: time,
                                      inner: CFEnsembleWriter.spatialAxes(levels: levels, latitudes: latitudes, longitudes: longitudes),
                                      variables: variables, global: global, compression: compression)
    }

    /// Writes time index `time` of `variable` from a row-major buffer of `frameShape`; NaN is missing.
    public func write<E: BinaryFloatingPoint>(time: Int, variable: String, values: UnsafeBufferPointer<E>) throws {
        try core.write(record: time, variable: variable, values: values)
    }

    /// Writes time index `time` of `variable` from an array of `frameShape` values; NaN is missing.
    public func write<E: BinaryFloatingPoint>(time: Int, variable: String, values: [E]) throws {
        try values.withUnsafeBufferPointer { try core.write(record: time, variable: variable, values: $0) }
    }

    /// Writes every time of `variable` from a row-major array of `timeCount` frames.
    public func write<E: BinaryFloatingPoint>(variable: String, values: [E]) throws {
        let n = core.recordSize
        guard values.count == n * timeCount else {
            discard()
            throw CFWriterError.sizeMismatch(path: path, variable: variable, expected: n * timeCount, got: values.count)
        }
        try values.withUnsafeBufferPointer { all in
            for t in 0..<timeCount {
                try core.write(record: t, variable: variable, values: UnsafeBufferPointer(rebasing: all[(t * n)..<((t + 1) * n)]))
            }
        }
    }

    /// Writes every time of `variable` from a field (time, [level,] latitude, longitude) matching the file's grid.
    public func write<E: BinaryFloatingPoint>(variable: String, field: Field<E>) throws {
        if let t = field.dimension(.time), t.size == timeCount, timeCount > 1 {
            var frame = field
            frame.dimensions = field.dimensions.map { $0.role == .time ? Dimension(name: $0.name, role: .time, size: 1) : $0 }
            frame.values = []
            do {
                try core.checkLayout(frame, variable: variable, recordRole: .time)
            } catch {
                discard()
                throw error
            }
            try write(variable: variable, values: field.values)
        } else {
            do {
                try core.checkLayout(field, variable: variable, recordRole: .time)
            } catch {
                discard()
                throw error
            }
            try write(variable: variable, values: field.values)
        }
    }

    /// Whether time `time` of `variable` has been written.
    public func isWritten(time: Int, variable: String) -> Bool { core.isWritten(record: time, variable: variable) }

    /// Checks every time of every variable was written, closes the file and renames it into place.
    public func finish() throws { try core.finish() }

    /// Abandons the output: removes the temporary file.
    public func discard() { core.file.discard() }
}

/// Why writing a netCDF/CF output file failed; every case names the file (its final path) and, where there is one, the variable.
public enum CFWriterError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A netCDF-C call returned an error code.
    case netCDF(path: String, variable: String?, operation: String, code: Int32, message: String)
    /// The directory that should hold the output does not exist (or is not a directory).
    case directoryMissing(path: String, directory: String)
    /// The output exists already and overwriting was not allowed.
    case fileExists(path: String)
    /// A definition (dimension, variable, attribute, axis) is not valid.
    case invalidDefinition(path: String, variable: String?, reason: String)
    /// A name was defined twice.
    case duplicateName(path: String, name: String)
    /// A variable or dimension that was never defined was used.
    case unknownName(path: String, name: String)
    /// A buffer has the wrong number of values for what it is written to.
    case sizeMismatch(path: String, variable: String, expected: Int, got: Int)
    /// A field's dimensions or coordinates do not match the file's.
    case layoutMismatch(path: String, variable: String, reason: String)
    /// A hyperslab lies outside the variable.
    case hyperslabOutOfBounds(path: String, variable: String, start: [Int], count: [Int], shape: [Int])
    /// A value cannot be CF-packed to int16 with the variable's scale_factor/add_offset.
    case valueOutOfPackingRange(path: String, variable: String, index: Int, value: Double, packed: Double, validRange: ClosedRange<Int>)
    /// A member (or time record) index is outside the file's member (or time) dimension.
    case recordOutOfRange(path: String, variable: String, record: Int, count: Int)
    /// A member (or time record) was written twice.
    case recordWrittenTwice(path: String, variable: String, record: Int)
    /// `finish()` was called before every record of every variable was written.
    case recordsMissing(path: String, variable: String, records: [Int])
    /// The writer was already finished, or had failed and removed its temporary file.
    case writerClosed(path: String)
    /// Moving the finished temporary file onto its final name failed.
    case renameFailed(path: String, temporaryPath: String, reason: String)

    /// A one-line explanation naming the file, the variable and what was wrong.
    public var description: String {
        switch self {
        case let .netCDF(path, variable, operation, code, message):
            return "\(path)\(variable.map { ", variable \($0)" } ?? ""): \(operation) failed: \(message) (netCDF error \(code))"
        case let .directoryMissing(path, directory):
            return "\(path): cannot create the file, directory \(directory) does not exist"
        case let .fileExists(path):
            return "\(path): the file exists and overwriting was not allowed"
        case let .invalidDefinition(path, variable, reason):
            return "\(path)\(variable.map { ", variable \($0)" } ?? ""): invalid definition: \(reason)"
        case let .duplicateName(path, name):
            return "\(path): \(name) is defined twice"
        case let .unknownName(path, name):
            return "\(path): \(name) was never defined"
        case let .sizeMismatch(path, variable, expected, got):
            return "\(path), variable \(variable): expected \(expected) values, got \(got)"
        case let .layoutMismatch(path, variable, reason):
            return "\(path), variable \(variable): field does not match the file: \(reason)"
        case let .hyperslabOutOfBounds(path, variable, start, count, shape):
            return "\(path), variable \(variable): hyperslab start \(start) count \(count) lies outside shape \(shape)"
        case let .valueOutOfPackingRange(path, variable, index, value, packed, range):
            return "\(path), variable \(variable): value \(value) at flat index \(index) packs to \(packed), outside the int16 range \(range.lowerBound)...\(range.upperBound) (choose another scale_factor/add_offset)"
        case let .recordOutOfRange(path, variable, record, count):
            return "\(path), variable \(variable): index \(record) is outside 0..<\(count)"
        case let .recordWrittenTwice(path, variable, record):
            return "\(path), variable \(variable): index \(record) was written twice"
        case let .recordsMissing(path, variable, records):
            let shown = records.prefix(10).map(String.init).joined(separator: ", ")
            return "\(path), variable \(variable): \(records.count) not written before finish (\(shown)\(records.count > 10 ? ", ..." : ""))"
        case let .writerClosed(path):
            return "\(path): the writer is closed (finished, or removed its temporary file after an error)"
        case let .renameFailed(path, temporaryPath, reason):
            return "\(path): could not rename \(temporaryPath) into place: \(reason)"
        }
    }
}

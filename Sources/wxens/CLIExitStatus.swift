import ArgumentParser
import Foundation
import WXCore
import WXIO
import WXNN
import WXPipelines

/// The exit status of every wxens command, from what went wrong (the BSD sysexits numbers), so the same error gives
/// the same status in every command.
enum CLIExitStatus: Int32 {
    /// Any failure not named below.
    case failure = 1
    /// A command-line value is invalid (ArgumentParser's own usage errors exit 64 too).
    case usage = 64
    /// The inputs were read but do not fit together or cannot be used (layouts, grids, units, times, NaN under raise).
    case dataError = 65
    /// An input cannot be opened or read (missing, not a regular file, not NetCDF/HDF5, corrupt, variable absent).
    case noInput = 66
    /// An output cannot be written.
    case cannotCreate = 73

    /// The status for `error`.
    static func of(_ error: Error) -> CLIExitStatus {
        switch error {
        case let e as WXIOError:
            switch e {
            case .invalidArgument, .hyperslabOutOfBounds: return .failure
            default: return .noInput
            }
        case is ZarrError: return .noInput
        case let e as GRIBError:
            if case .invalidFilter = e { return .usage }
            return .noInput
        case let e as VerifyError:
            switch e {
            case .badOption, .memoryCapTooSmall: return .usage
            case .cannotRead, .variableMissing: return .noInput
            case .cannotWrite: return .cannotCreate
            default: return .dataError
            }
        case let e as ForecastError:
            switch e {
            case .invalidOption: return .usage
            case .missingVariable: return .noInput
            case .stepOutput: return .failure
            default: return .dataError
            }
        case let e as ReforecastError:
            switch e {
            case .badValue, .noSuchShard: return .usage
            case .missingCheckpoint, .missingInput, .noManifest: return .noInput
            case .commandFailed, .shardsFailed: return .failure
            default: return .dataError
            }
        case let e as CheckpointError:
            switch e {
            case .fileNotFound, .truncated, .badHeader: return .noInput
            case .cannotWrite: return .cannotCreate
            default: return .dataError
            }
        case let e as PlotError:
            switch e {
            case .badOption, .initTimeMissing, .leadTimeMissing, .memberOutOfRange: return .usage
            case .variableMissing: return .noInput
            case .validTimeMissing, .layout, .gridMismatch: return .dataError
            }
        case is ModelConfigError, is CFTimeError: return .dataError
        case is CFWriterError, is AtomicFileError: return .cannotCreate
        default: return .failure
        }
    }
}

/// Reports an error on stderr as one line naming the file once ("wxens: error: PATH: what") and returns the exit
/// status `CLIExitStatus` gives it.
func failWith(_ error: Error) -> ExitCode {
    FileHandle.standardError.write(Data("wxens: error: \(error)\n".utf8))
    return ExitCode(CLIExitStatus.of(error).rawValue)
}

import Foundation

/// What can go wrong when verifying forecasts or computing a climatology, naming the file, variable and problem.
public enum VerifyError: Error, CustomStringConvertible, Equatable {
    /// A file could not be opened or read.
    case cannotRead(path: String, reason: String)
    /// An output could not be written.
    case cannotWrite(path: String, reason: String)
    /// A variable asked for is absent from a file.
    case variableMissing(path: String, variable: String)
    /// A file has no truth for the forecast (e.g. a forecast-only ensemble).
    case noTruth(path: String, reason: String)
    /// A variable lacks a dimension or coordinate the workflow needs.
    case badLayout(path: String, variable: String, reason: String)
    /// Forecast and truth grids differ (no regridding is done).
    case gridMismatch(forecast: String, truth: String, variable: String, reason: String)
    /// The truth has no field at a valid time the forecast needs.
    case validTimeMissing(truth: String, variable: String, validTime: String)
    /// A time coordinate could not be decoded.
    case badTime(path: String, variable: String, reason: String)
    /// A NaN was met under `--nan-policy raise`.
    case nanFound(path: String, variable: String, where: String)
    /// Even one (init, lead) block does not fit in the memory cap.
    case memoryCapTooSmall(capBytes: Int, needBytes: Int, variable: String)
    /// A command-line or option value is invalid.
    case badOption(name: String, value: String, reason: String)
    /// Partial results cannot be merged (different variables, members, weights, ...).
    case partialsIncompatible(path: String, reason: String)
    /// The truth variable is in other units than the forecast variable (no conversion is done).
    case unitsMismatch(forecast: String, forecastVariable: String, forecastUnits: String, truth: String, truthVariable: String, truthUnits: String)

    public var description: String {
        switch self {
        case let .cannotRead(p, r): return "cannot read \(p): \(r)"
        case let .cannotWrite(p, r): return "cannot write \(p): \(r)"
        case let .variableMissing(p, v): return "\(p): variable '\(v)' not found"
        case let .noTruth(p, r): return "\(p): no truth to verify against: \(r)"
        case let .badLayout(p, v, r): return "\(p): variable '\(v)': \(r)"
        case let .gridMismatch(f, t, v, r): return "grids differ for '\(v)' between forecast \(f) and truth \(t): \(r) (wxens verify does not regrid)"
        case let .validTimeMissing(t, v, vt): return "truth \(t): variable '\(v)' has no field at valid time \(vt)"
        case let .badTime(p, v, r): return "\(p): time coordinate '\(v)': \(r)"
        case let .nanFound(p, v, w): return "\(p): variable '\(v)' has NaN at \(w) (--nan-policy raise)"
        case let .memoryCapTooSmall(c, n, v): return "--max-memory \(c) bytes is too small: one (init, lead) block of '\(v)' needs \(n) bytes"
        case let .badOption(n, v, r): return "invalid value '\(v)' for \(n): \(r)"
        case let .partialsIncompatible(p, r): return "cannot merge partials \(p): \(r)"
        case let .unitsMismatch(f, fv, fu, t, tv, tu):
            return "units differ: forecast \(f) variable '\(fv)' is in '\(fu)', truth \(t) variable '\(tv)' is in '\(tu)' (wxens verify does not convert units)"
        }
    }
}

/// Why `wxens forecast` refused its inputs or stopped: each case names the option, file or variable at fault.
public enum ForecastError: Error, CustomStringConvertible, Equatable {
    /// An option's value is not usable (e.g. `--members 0`, a lead time off the model's step).
    case invalidOption(option: String, detail: String)
    /// The initial-conditions file lacks a variable the model needs.
    case missingVariable(path: String, variable: String)
    /// A variable is not laid out as (time, latitude, longitude) or differs from the others.
    case layout(path: String, variable: String, detail: String)
    /// A variable's grid is not the model's.
    case gridMismatch(path: String, variable: String, detail: String)
    /// The file's time coordinate is missing or not a CF time axis.
    case timeAxis(path: String, variable: String, detail: String)
    /// A requested init time is not in the file.
    case initTimeMissing(path: String, time: String)
    /// The state one step before a requested init time is not in the file.
    case previousStateMissing(path: String, time: String, previous: String)
    /// No time of the file can start a forecast.
    case noInitTimes(path: String, detail: String)
    /// A state the rollout starts from has a missing or non-finite value.
    case nonFinite(path: String, variable: String, time: String)
    /// The model returned a state of the wrong size.
    case stepOutput(detail: String)

    /// One readable line.
    public var description: String {
        switch self {
        case let .invalidOption(o, d): return "\(o): \(d)"
        case let .missingVariable(p, v): return "\(p): no variable \(v), which the model needs"
        case let .layout(p, v, d): return "\(p): variable \(v): \(d)"
        case let .gridMismatch(p, v, d): return "\(p): variable \(v): grid differs from the model's: \(d)"
        case let .timeAxis(p, v, d): return "\(p): variable \(v): time coordinate: \(d)"
        case let .initTimeMissing(p, t): return "\(p): init time \(t) is not in the file"
        case let .previousStateMissing(p, t, prev):
            return "\(p): init time \(t) needs the state at \(prev) (one model step earlier), which is not in the file"
        case let .noInitTimes(p, d): return "\(p): no init times: \(d)"
        case let .nonFinite(p, v, t): return "\(p): variable \(v): missing or non-finite value at \(t)"
        case let .stepOutput(d): return "forecast model: \(d)"
        }
    }
}

import WXCore

/// One time that starts a forecast: its coordinate value and the indices of its state and of the state one step earlier.
public struct ForecastInitTime: Sendable, Equatable {
    /// The file's coordinate value.
    public var value: Double
    /// The value in hours since the file's reference date (the key of the members' random streams).
    public var hours: Double
    /// The date-time.
    public var date: CFDateTime
    /// Index of the state at the init time.
    public var index: Int
    /// Index of the state one model step earlier.
    public var previousIndex: Int
}

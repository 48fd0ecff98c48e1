/// What `wxens forecast` is asked to do.
public struct ForecastOptions: Sendable {
    /// The initial-conditions file (time, latitude, longitude): states at t and t - step start each rollout.
    public var initialConditionsPath: String
    /// Members per init time.
    public var members: Int
    /// Lead times written (hours; positive multiples of the model's step; written in increasing order, repeats once).
    public var leadTimesHours: [Double]
    /// Output CF file.
    public var outPath: String
    /// Which times of the file start a forecast.
    public var initTimes: InitTimeSelection
    /// The run's seed.
    public var seed: UInt64
    /// Members stepped together.
    public var batchSize: Int
    /// No progress output.
    public var quiet: Bool
    /// Where the model came from, recorded in the output's attributes (nil: not recorded).
    public var modelSource: String?
    /// `key=value` entries selecting the initial conditions' GRIB messages (`--filter`; refused for other formats).
    public var filter: [String]

    /// Options.
    public init(initialConditionsPath: String, members: Int, leadTimesHours: [Double], outPath: String,
                initTimes: InitTimeSelection = .all, seed: UInt64 = 0, batchSize: Int = 8, quiet: Bool = false,
                modelSource: String? = nil, filter: [String] = []) {
        self.initialConditionsPath = initialConditionsPath
        self.members = members
        self.leadTimesHours = leadTimesHours
        self.outPath = outPath
        self.initTimes = initTimes
        self.seed = seed
        self.batchSize = batchSize
        self.quiet = quiet
        self.modelSource = modelSource
        self.filter = filter
    }
}

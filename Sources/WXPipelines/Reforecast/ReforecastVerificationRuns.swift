import Foundation

extension ReforecastManifest {
    /// The per-task verification directories of a reforecast planned with `verify_truth`, for `wxens verify merge`;
    /// refuses a plan without verification or with tasks not done.
    public static func verificationRuns(_ rundir: String) throws -> [String] {
        let m = try read(rundir)
        guard m.config.verifyTruth != nil else {
            throw ReforecastError.badValue(name: rundir, reason: "this reforecast was planned without verify_truth: no partials to merge")
        }
        let paths = ReforecastPaths(rundir)
        let bad = m.tasks.filter { m.state(of: $0.id, paths: paths) != .done }
        guard bad.isEmpty else { throw ReforecastError.partsMissing(rundir: rundir, tasks: bad.map(\.id)) }
        return m.tasks.map { paths.verify($0.id) }
    }
}

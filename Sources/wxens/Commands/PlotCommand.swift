import ArgumentParser
import Foundation
import WXPipelines

/// `wxens plot`: figures of forecast files.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot", abstract: "Draw figures of forecast files (SVG).", subcommands: [PlotMembersCommand.self])
}

/// `wxens plot members`: maps of the truth, seeds, members, ensemble mean and spread at one init and lead.
struct PlotMembersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "Maps of one variable at one init and lead: truth, seeds, members, ensemble mean and spread (SVG).")

    @Option(help: "Ensemble file with init_time, lead_time and member axes (reforecast or wxens generate layout).") var file: String
    @Option(help: "Variable to draw (e.g. z500).") var variable: String
    @Option(name: .customLong("init"), help: "Init time, ISO 8601 (e.g. 2000-09-22T00:00).") var initTime: String
    @Option(help: "Lead time: 72h, 72 (hours) or 3d.") var lead: String
    @Option(help: "Comma-separated members of --file drawn one by one (default: the first 4).") var members: String?
    @Option(help: "Seeds file (default: the file's wxens_seeds_file attribute when that file exists).") var seeds: String?
    @Option(name: .customLong("seed-members"), help: "Members of the seeds file drawn (default: the file's wxens_seed_members, else 0,1).")
    var seedMembers: String?
    @Flag(name: .customLong("no-seeds"), help: "Draw no seed panels.") var noSeeds = false
    @Option(help: "Truth file with a time axis: its state at init + lead is drawn first.") var truth: String?
    @Option(name: .customLong("anomaly-from"), help: "A wxens climatology file: maps of anomalies from its <variable>_mean.")
    var anomalyFrom: String?
    @Option(help: "Panels per row (default: 3 or 4, whichever fills the last row better).") var columns: Int?
    @Option(help: "Output SVG.") var out: String

    func run() throws {
        do {
            let options = MemberMapsOptions(
                path: file, variable: variable, initTime: initTime, leadHours: try MemberMapsOptions.leadHours(parsing: lead),
                members: try members.map { try MemberMapsOptions.memberList(parsing: $0, option: "--members") },
                seedsPath: noSeeds ? "" : seeds,
                seedMembers: try seedMembers.map { try MemberMapsOptions.memberList(parsing: $0, option: "--seed-members") },
                truthPath: truth, climatologyPath: anomalyFrom, outPath: out, columns: columns)
            let panels = try MemberMapsWorkflow.run(options)
            print("wrote \(out): \(panels.count) maps (\(panels.joined(separator: ", ")))")
        } catch {
            throw failWith(error)
        }
    }
}

import ArgumentParser
import Foundation
import WXPipelines

/// `wxens inspect FILE [--json] [--group G]`: a NetCDF/HDF5 file at a glance.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a NetCDF/HDF5 file at a glance: format, dimensions, grids, members, times, value ranges.")

    @Argument(help: "The NetCDF or HDF5 file.")
    var file: String

    @Flag(help: "Print JSON (numbers at full precision) instead of text.")
    var json = false

    @Option(help: "Group to inspect (e.g. /forecast); default the root.")
    var group: String = "/"

    func run() throws {
        do {
            let inspection = try FileInspector.inspect(path: file, group: group)
            print(json ? try inspection.json() : inspection.text)
        } catch {
            throw failWith(error)
        }
    }
}

import ArgumentParser
import Foundation
import WXPipelines

/// `wxens inspect FILE [--json] [--group G] [--filter key=value]`: a NetCDF/HDF5/GRIB file or a Zarr store at a glance.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a NetCDF/HDF5/GRIB file or a Zarr store at a glance: format, dimensions, grids, members, times, value ranges.")

    @Argument(help: "The NetCDF, HDF5 or GRIB file, or a Zarr store (a directory).")
    var file: String

    @Flag(help: "Print JSON (numbers at full precision) instead of text.")
    var json = false

    @Option(help: "Group to inspect (e.g. /forecast); default the root.")
    var group: String = "/"

    @Option(help: "GRIB only: keep the messages with this key=value (e.g. typeOfLevel=isobaricInhPa); repeatable.")
    var filter: [String] = []

    func run() throws {
        do {
            let inspection = try FileInspector.inspect(path: file, group: group, filter: filter)
            print(json ? try inspection.json() : inspection.text)
        } catch {
            throw failWith(error)
        }
    }
}

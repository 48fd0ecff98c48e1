import ArgumentParser
import WXCore

/// The `wxens` command: generate, forecast, verify and inspect weather ensembles.
@main
struct WXEns: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wxens",
        abstract: "Probabilistic weather-ensemble generation and verification.",
        version: wxensVersion,
        subcommands: [InspectCommand.self, VerifyCommand.self, ClimatologyCommand.self, TrainCommand.self, GenerateCommand.self,
                      ForecastCommand.self, ReforecastCommand.self, PlotCommand.self]
    )
}

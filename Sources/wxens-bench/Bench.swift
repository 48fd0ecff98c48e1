import ArgumentParser
import WXCore

/// The `wxens-bench` command: throughput of wxens against its peers, measured in the same run.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wxens-bench",
        abstract: "Benchmarks of wxens against its peers (release build).",
        subcommands: [IOBench.self, WriteBench.self, KernelsBench.self, GemmBench.self, VerifyBench.self, NNBench.self,
                      ReforecastBench.self, ForecastBench.self, VerifyPipelineBench.self, GenerateBench.self, TrainBench.self]
    )
}

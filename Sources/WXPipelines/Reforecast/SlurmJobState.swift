import Foundation

/// The state Slurm reports for one array task (squeue %T or sacct State), reduced to what status needs.
public enum SlurmJobState: String, Sendable, Equatable {
    /// PENDING, CONFIGURING, REQUEUED, ...
    case pending
    /// RUNNING, COMPLETING.
    case running
    /// COMPLETED.
    case completed
    /// FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED, BOOT_FAIL, DEADLINE.
    case failed

    /// The state of a Slurm state word ("CANCELLED by 0" counts as failed).
    public init(slurm word: String) {
        let w = word.uppercased().split(separator: " ").first.map(String.init) ?? ""
        switch w {
        case "RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING": self = .running
        case "COMPLETED": self = .completed
        case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SUSPENDED", "STOPPED": self = .pending
        default: self = .failed
        }
    }

    /// Still queued or running.
    public var isActive: Bool { self == .pending || self == .running }
    /// Running now.
    public var isRunning: Bool { self == .running }
    /// Ended without success.
    public var isFailure: Bool { self == .failed }
}

import Foundation
import XCTest
import WXCore
import WXPipelines

/// `wxens reforecast` from the command line and on a real Slurm cluster (skipped where `sbatch` is absent or no
/// cluster answers; `.ci/run` starts a single-node one): the job array's merge equals a local run bit for bit, a
/// cancelled array task shows as failed and a resubmission runs only its shard; a VAE reforecast's array equals its
/// local run too.
final class ReforecastSlurmTests: XCTestCase {
    private func writeConfig(_ fx: ReforecastFixture, shards: Int, samplerSteps: Int = 1) throws -> String {
        let yaml = """
        generator: gee
        checkpoint: \(fx.model)
        input: \(fx.input)
        init_times: {from: "2000-09-22", to: "2000-10-07", step_hours: 120}
        members: 2
        seed: 3
        shards: \(shards)
        batch_size: 4
        sampler_steps: \(samplerSteps)
        """
        let path = fx.path("reforecast.yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testCommandLinePlanStatusDryRunAndMergeRefusal() throws {
        let fx = try ReforecastFixture()
        defer { fx.remove() }
        let rundir = fx.path("run")
        let plan = try ReforecastFixture.run(["reforecast", "plan", "--config", try writeConfig(fx, shards: 2), "--out", rundir])
        XCTAssertEqual(plan.status, 0, plan.err)
        XCTAssert(plan.out.contains("planned gee reforecast: 4 tasks"), plan.out)
        XCTAssert(plan.out.contains("core-hours") && plan.out.contains("wall per shard") && plan.out.contains("peak memory"), plan.out)
        let status = try ReforecastFixture.run(["reforecast", "status", rundir])
        XCTAssertEqual(status.status, 0, status.err)
        XCTAssert(status.out.contains("tasks: 4 total, 0 done"), status.out)
        let dry = try ReforecastFixture.run(["reforecast", "submit", rundir, "--max-concurrent", "1", "--time", "00:10:00", "--partition", "debug", "--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.err)
        for line in ["#SBATCH --array=0,1%1", "#SBATCH --output=\(rundir)/logs/shard-%a.out", "#SBATCH --time=00:10:00",
                     "#SBATCH --partition=debug", "--shard-from-env"] {
            XCTAssert(dry.out.contains(line), "no \(line) in:\n\(dry.out)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: rundir + "/slurm/jobs.json"), "a dry run recorded a job")
        let merge = try ReforecastFixture.run(["reforecast", "merge", rundir, "--out", fx.path("m.nc")])
        XCTAssertNotEqual(merge.status, 0)
        XCTAssert(merge.err.contains("tasks not done or corrupt: t0000, t0001, t0002, t0003"), merge.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fx.path("m.nc")))
        let both = try ReforecastFixture.run(["reforecast", "run", rundir, "--shard", "0", "--workers", "2"])
        XCTAssertNotEqual(both.status, 0)
        let env = try ReforecastFixture.run(["reforecast", "run", rundir, "--shard-from-env"], environment: ["SLURM_ARRAY_TASK_ID": "7"])
        XCTAssertNotEqual(env.status, 0)
        XCTAssert(env.err.contains("shard 7 does not exist"), env.err)
    }

    /// Skips unless a Slurm cluster answers.
    private func requireSlurm() throws {
        guard SlurmCommands.available("sbatch") else {
            throw XCTSkip("sbatch is not on PATH: the Slurm tests run in CI (.ci/run starts a single-node cluster)")
        }
        let r = try SlurmCommands.run("sinfo", ["-h", "-o", "%T"])
        guard r.status == 0, r.output.contains("idle") || r.output.contains("mixed") || r.output.contains("alloc") else {
            throw XCTSkip("sbatch is here but no Slurm cluster answers (sinfo: \(r.output.prefix(200)))")
        }
    }

    /// Waits until none of the run's array tasks is queued or running.
    private func waitForJobs(_ rundir: String, timeout: TimeInterval = 600) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let ids = SlurmSubmitter.readJobs(rundir).map(\.jobID).joined(separator: ",")
            let r = try SlurmCommands.run("squeue", ["-h", "-j", ids, "-o", "%i"])
            if r.status == 0 && r.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            usleep(300_000)
        }
        XCTFail("the Slurm jobs of \(rundir) did not finish in \(timeout) s")
    }

    func testSlurmArrayEqualsLocalRunAndResubmitsOnlyCancelledShard() throws {
        try requireSlurm()
        let fx = try ReforecastFixture()
        defer { fx.remove() }
        // Enough sampler steps that a task generates for about a second: scancel's signal must reach the shard before
        // it renames its part (with 1 step the tiny model finished a task within the signal's delay).
        let config = try writeConfig(fx, shards: 2, samplerSteps: 200)
        let local = fx.path("local"), cluster = fx.path("cluster")
        for dir in [local, cluster] {
            let r = try ReforecastFixture.run(["reforecast", "plan", "--config", config, "--out", dir, "--no-calibrate"])
            XCTAssertEqual(r.status, 0, r.err)
        }
        let l = try ReforecastFixture.run(["reforecast", "run", local, "--workers", "1", "--quiet"])
        XCTAssertEqual(l.status, 0, l.err)

        let s = try ReforecastFixture.run(["reforecast", "submit", cluster, "--max-concurrent", "2"])
        XCTAssertEqual(s.status, 0, s.err)
        let job = try XCTUnwrap(SlurmSubmitter.readJobs(cluster).first)
        XCTAssertEqual(job.shards, [0, 1])
        // Cancel shard 1 while it writes its first task (t0001).
        let parts = ReforecastPaths(cluster).parts
        let deadline = Date().addingTimeInterval(300)
        var cancelled = false
        while Date() < deadline {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: parts)) ?? []
            if names.contains(where: { $0.hasPrefix(".t0001.nc.tmp-") }) {
                let c = try SlurmCommands.run("scancel", ["\(job.jobID)_1"])
                XCTAssertEqual(c.status, 0, c.output)
                cancelled = true
                break
            }
            if names.contains("t0001.done.json") { break }
            usleep(5000)
        }
        XCTAssert(cancelled, "shard 1 finished before it could be cancelled")
        try waitForJobs(cluster)
        XCTAssertFalse(FileManager.default.fileExists(atPath: ReforecastPaths(cluster).part("t0001")), "a cancelled part appeared under its final name")
        let st = try ReforecastFixture.run(["reforecast", "status", cluster])
        XCTAssert(st.out.contains("t0001") && st.out.contains("failed"), st.out)
        XCTAssert(st.out.contains("shard 1 failed"), st.out)

        let dry = try ReforecastFixture.run(["reforecast", "submit", cluster, "--dry-run"])
        XCTAssert(dry.out.contains("#SBATCH --array=1\n"), dry.out)
        let again = try ReforecastFixture.run(["reforecast", "submit", cluster])
        XCTAssertEqual(again.status, 0, again.err)
        try waitForJobs(cluster)
        XCTAssertEqual(SlurmSubmitter.readJobs(cluster).last?.shards, [1])
        let done = try ReforecastStatus.collect(rundir: cluster)
        XCTAssertEqual(done.count(.done), 4, done.text)

        for (dir, out) in [(local, "local.nc"), (cluster, "cluster.nc")] {
            let m = try ReforecastFixture.run(["reforecast", "merge", dir, "--out", fx.path(out)])
            XCTAssertEqual(m.status, 0, m.err)
        }
        XCTAssertEqual(try ReforecastFixture.bits(fx.path("local.nc"), variables: ReforecastTests.variables),
                       try ReforecastFixture.bits(fx.path("cluster.nc"), variables: ReforecastTests.variables))
    }

    func testSlurmArrayOfTheVAEEqualsLocalRun() throws {
        try requireSlurm()
        guard FileManager.default.fileExists(atPath: ReforecastVAETests.truth), FileManager.default.fileExists(atPath: ReforecastVAETests.model) else {
            throw XCTSkip("the shared nature run or the embedded VAE is absent")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-rf-vae-slurm-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let yaml = """
        generator: vae
        checkpoint: \(ReforecastVAETests.model)
        input: \(ReforecastVAETests.truth)
        init_times: {from: "2000-09-22", to: "2000-10-02", step_hours: 120}
        members: 2
        lead_times: [12, 24]
        seed: 5
        shards: 2
        """
        let config = dir + "/vae.yaml"
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        let local = dir + "/local", cluster = dir + "/cluster"
        for d in [local, cluster] {
            let r = try ReforecastFixture.run(["reforecast", "plan", "--config", config, "--out", d, "--no-calibrate"])
            XCTAssertEqual(r.status, 0, r.err)
        }
        let l = try ReforecastFixture.run(["reforecast", "run", local, "--workers", "1", "--quiet"])
        XCTAssertEqual(l.status, 0, l.err)
        let s = try ReforecastFixture.run(["reforecast", "submit", cluster, "--max-concurrent", "2"])
        XCTAssertEqual(s.status, 0, s.err)
        try waitForJobs(cluster)
        let done = try ReforecastStatus.collect(rundir: cluster)
        XCTAssertEqual(done.count(.done), 3, done.text)
        for (d, out) in [(local, "local.nc"), (cluster, "cluster.nc")] {
            let m = try ReforecastFixture.run(["reforecast", "merge", d, "--out", dir + "/" + out])
            XCTAssertEqual(m.status, 0, m.err)
        }
        XCTAssertEqual(try ReforecastFixture.bits(dir + "/local.nc", variables: ReforecastTests.variables),
                       try ReforecastFixture.bits(dir + "/cluster.nc", variables: ReforecastTests.variables))
    }
}

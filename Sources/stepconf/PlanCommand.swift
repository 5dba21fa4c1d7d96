import ArgumentParser
import StepConfCore

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan a workflow for an SLO: per-step configuration, predicted time and cost.",
        discussion: """
            Dynamic policies (stepconf, intra-only, inter-only, stepconf-exact) are replayed as if predictions \
            held: each step is decided at its predicted start with the time left, and pays for its configurator. \
            Static policies (static, nono, optimal) decide every step once, before the run.

            Policies: \(PolicyName.known), or `all` to compare them in one table.

            Examples:
              stepconf plan
              stepconf plan --workflow examples/video.json --slo 12 --policy stepconf-exact --json
            """)

    @OptionGroup var options: WorkflowOptions

    @Option(help: ArgumentHelp(
        "End-to-end SLO in seconds (0 < S ≤ 10000000), or `auto` (1.5 × the fastest predicted makespan with configurators and cold starts).", valueName: "seconds|auto"))
    var slo: SLOArgument = .auto

    @Option(help: ArgumentHelp("Policy name, or `all`.", valueName: "name|all"))
    var policy = PolicySelection([.stepconf])

    @OptionGroup var margin: SafetyOption

    @Option(help: ArgumentHelp(
        "Requests per hour the plan is made for: how often a request finds its functions warm.", valueName: "N"))
    var rate: Double = Traffic.defaultRequestsPerHour

    @OptionGroup var output: OutputFormat

    func validate() throws {
        do { _ = try Traffic(requestsPerHour: rate) } catch let error as InputError {
            throw ValidationError("--rate: \(error.message)")
        }
    }

    func run() throws {
        let (graph, model, platform) = try options.load()
        let sloSeconds = try slo.seconds(graph: graph, model: model, platform: platform, safety: margin.safety)
        var plans: [Plan] = []
        let traffic = try Traffic(requestsPerHour: rate)
        for name in policy.names {
            let built = try Policies.make(
                name, graph: graph, model: model, platform: platform, safety: margin.safety, percentile: margin.percentile,
                traffic: traffic)
            plans.append(try Plan.make(policy: built, sloSeconds: sloSeconds, traffic: traffic))
        }
        if output.json {
            if plans.count == 1 { try printJSON(plans[0]) } else { try printJSON(plans) }
            return
        }
        if slo.isAuto {
            print("SLO: auto = \(fixed(sloSeconds, 3)) s (1.5 × the fastest predicted makespan, every step through its configurator and cold)")
        }
        if plans.count == 1 { printPlan(plans[0]) } else { printComparison(plans) }
    }


    private func printPlan(_ plan: Plan) {
        print("Plan for `\(plan.workflow)` · policy \(plan.policy.rawValue) · SLO \(fixed(plan.sloSeconds, 3)) s")
        var table = TextTable(["step", "memory_mb", "p", "q", "start_s", "time_s", "sub_slo_s", "cost_usd", "note"],
                              leftAligned: [0, 8])
        for s in plan.steps {
            table.add([
                s.id, "\(s.memoryMB)", "\(s.inter)", "\(s.intra)", fixed(s.startSeconds, 3), fixed(s.timeSeconds, 3),
                s.subSLOSeconds.map { fixed($0, 3) } ?? "-", usd(s.costUSD),
                [s.fallback ? "fastest θ: budget unmet" : nil, s.decidedAhead ? "decided ahead" : nil].compactMap { $0 }
                    .joined(separator: "; "),
            ])
        }
        print(table.render())
        let verdict = plan.feasible ? "meets the SLO" : "MISSES the SLO"
        print("makespan \(fixed(plan.makespanSeconds, 3)) s (\(verdict)) · cost \(usd(plan.costUSD)) · "
            + "decisions \(fixed(plan.decisionMicroseconds, 1)) µs in all")
        print("predicted attainment \(fixed(plan.predictedAttainment * 100, 1)) % (sampled over the noise model, the plan kept "
            + "as replayed, \(fixed(rate, 0)) requests an hour)"
            + (plan.policy.isDynamic ? "; a dynamic policy adapts as steps end" : ""))
        if let percentile = plan.percentile, let quantile = plan.makespanAtPercentileSeconds {
            let met = plan.feasibleAtPercentile == true ? "meets" : "misses"
            print("at P\(fixed(percentile, 1)): \(fixed(quantile, 3)) s, \(met) the SLO")
            if plan.feasibleAtPercentile == false, !plan.policy.isDynamic, plan.policy != .optimal {
                print("no plan of \(plan.policy.rawValue) reaches P\(fixed(percentile, 1)) at this SLO: this is the one that attains the most")
            }
        }
        if let solver = plan.solver {
            var line = "solver: \(solver.method), " + (solver.provenOptimal ? "proven optimal" : "not proven optimal")
            if let bound = solver.lowerBoundUSD, let gap = solver.gap {
                line += ", lower bound \(usd(bound)) (gap \(fixed(gap * 100, 3)) %)"
            }
            if let cell = solver.gridSeconds { line += ", time grid \(fixed(cell * 1000, 3)) ms (times rounded up)" }
            print(line)
        }
        if !plan.feasible {
            print("no plan meets the SLO on predicted times: the fastest configurations were taken where budgets ran out")
        }
        printMismatches(plan)
    }

    /// Where a policy decided on a time other than the replay charged (none when its assumptions hold).
    private func printMismatches(_ plan: Plan) {
        guard !plan.mismatches.isEmpty else { return }
        let list = plan.mismatches.prefix(5).map {
            "\($0.id) assumed \(fixed($0.assumedSeconds, 3)) s, charged \(fixed($0.chargedSeconds, 3)) s"
        }
        print("\(plan.policy.rawValue): \(plan.mismatches.count) step(s) decided on another time than the replay charged: "
            + list.joined(separator: "; ") + (plan.mismatches.count > 5 ? "; …" : ""))
    }

    private func printComparison(_ plans: [Plan]) {
        let optimal = plans.first { $0.policy == .optimal }
        print("Policies for `\(plans[0].workflow)` · SLO \(fixed(plans[0].sloSeconds, 3)) s (predicted times)")
        var table = TextTable([
            "policy", "meets_slo", "makespan_s", "at_percentile_s", "predicted_attainment", "cost_usd", "vs_optimal", "fallbacks",
            "decision_us",
        ])
        for plan in plans {
            var ratio = "-"
            if let optimal, optimal.feasible, plan.feasible, optimal.costUSD > 0 {
                ratio = (plan.costUSD >= optimal.costUSD ? "+" : "") + fixed((plan.costUSD / optimal.costUSD - 1) * 100, 1) + " %"
            }
            table.add([
                plan.policy.rawValue, plan.feasible ? "yes" : "no", fixed(plan.makespanSeconds, 3),
                plan.makespanAtPercentileSeconds.map { fixed($0, 3) } ?? "-", fixed(plan.predictedAttainment * 100, 1) + " %",
                usd(plan.costUSD),
                ratio, "\(plan.steps.filter(\.fallback).count)", fixed(plan.decisionMicroseconds, 1),
            ])
        }
        print(table.render())
        if let percentile = plans.lazy.compactMap(\.percentile).first {
            print("at_percentile_s, predicted_attainment: the replayed plan's makespan at P\(fixed(percentile, 1)) and its chance of "
                + "meeting the SLO, sampled over the model's noise at \(fixed(rate, 0)) requests an hour (optimal ignores "
                + "fluctuations; dynamic policies adapt as steps end, so theirs are indicative).")
        }
        print("Every policy is charged a cold start where its function is cold; dynamic policies also one configurator "
            + "decision per step, in time and cost.")
        for plan in plans { printMismatches(plan) }
    }
}

import Foundation
import StepConfCore
import StepConfFunctions
import StepConfWorker

extension LocalWorkflowRunner {
    /// What every step of one run shares.
    struct StepContext: Sendable {
        let graph: WorkflowGraph
        let emulator: LocalEmulator
        let execution: String
        let sloSeconds: Double
        let startUnix: Double
        let clock: ContinuousClock
        let started: ContinuousClock.Instant
        let settings: Settings

        struct Outcome: Sendable {
            var record: LocalRunReport.StepRecord
            /// Per instance, the keys it wrote.
            var outputs: [[String]]
            /// The plans known when the step ended, by step id: its configurator's answer (``ConfiguratorOutput/steps``),
            /// or the one it ran on, as the state machine carries `$.config` from step to step.
            var plans: [String: ConfiguratorOutput.Planned]
        }

        var now: Double { (clock.now - started).seconds }

        /// The configurator's event, as the state machine's Configure task sends it.
        func configuratorEvent(_ v: Int, firstKeys: [String], after: [String: [[String]]]) throws -> Data {
            let event = ConfiguratorEvent(
                workflow: graph.workflow.name, step: graph.ids[v], execution: execution, sloSeconds: sloSeconds,
                sloPercentile: settings.percentile, startTime: startUnix, input: stepInput(v, firstKeys: firstKeys, after: after))
            return try JSONEncoder().encode(event)
        }

        /// Step `v`'s input as the state machine carries it: the execution's keys for a first step, else what its
        /// predecessors' instances wrote.
        func stepInput(_ v: Int, firstKeys: [String], after: [String: [[String]]]) -> StepInput {
            graph.predecessors[v].isEmpty
                ? StepInput(keys: firstKeys)
                : StepInput(after: after.mapValues { $0.map { StepInput.InstanceResult(outputs: $0) } })
        }

        /// Invokes `function`; the answer's body, or the failure with the function's error.
        func invoke(_ function: String, _ payload: Data, what: String) async -> Result<(Data, Bool), LocalError> {
            guard let (outcome, cold) = await emulator.invoke(function, payload: payload) else {
                return .failure(LocalError(.stepFailed, "\(what): no function `\(function)`"))
            }
            switch outcome {
            case .response(let data): return .success((data, cold))
            case .functionError(let data):
                return .failure(LocalError(.stepFailed, "\(what) (\(function)) failed: \(String(decoding: data, as: UTF8.self))"))
            }
        }

        /// Runs step `v`: the configurator, then its instances side by side. A step with one predecessor first
        /// looks for a plan its predecessor's configurator made ahead (`known`), as the state machine's Choice does:
        /// ready by its deadline, it runs on it without a configurator call.
        func runStep(
            _ v: Int, firstKeys: [String], after: [String: [[String]]], known: [String: ConfiguratorOutput.Planned]
        ) async -> Result<Outcome, LocalError> {
            let step = graph[v]
            let chained = AheadDecision.isChained(v, in: graph)
            let configureStart = now
            let plan: ConfiguratorOutput.Planned
            let plans: [String: ConfiguratorOutput.Planned]
            var answer: ConfiguratorOutput.Record?
            if chained, let early = known[step.id], let deadline = early.deadlineSeconds, Date().timeIntervalSince1970 <= deadline {
                plan = early
                plans = known
            } else {
                let decision: ConfiguratorOutput
                do {
                    let event = try configuratorEvent(v, firstKeys: firstKeys, after: after)
                    let (body, _) = try await invoke(FunctionNames.configurator(prefix: settings.functionPrefix), event, what: "configurator for step \(step.id)").get()
                    decision = try JSONDecoder().decode(ConfiguratorOutput.self, from: body)
                } catch let failure as LocalError {
                    return .failure(failure)
                } catch {
                    return .failure(LocalError(.stepFailed, "configurator for step \(step.id): unreadable answer: \(error)"))
                }
                guard let own = decision.plan else {
                    return .failure(LocalError(.stepFailed, "configurator for step \(step.id): its answer has no plan for the step"))
                }
                plan = own
                plans = decision.steps
                answer = decision.decision
            }
            let configureEnd = now
            let function = plan.function
            let input = stepInput(v, firstKeys: firstKeys, after: after)

            // The Map: one invocation per item, all at once (MaxConcurrency = p).
            typealias Instance = (output: StepOutput, cold: Bool, seconds: Double)
            let results = await withTaskGroup(of: (Int, Result<Instance, LocalError>).self) { group in
                for item in plan.items {
                    let event = StepEvent(
                        execution: ConfiguratorOutput.runName(execution: execution), step: step.id,
                        index: item.index, intra: item.intra, jobStart: item.jobStart, jobEnd: item.jobEnd,
                        keys: input.share(instance: item.index, of: item.instances), params: step.params)
                    group.addTask {
                        let sent = clock.now
                        guard let payload = try? JSONEncoder().encode(event) else {
                            return (item.index, .failure(LocalError(.stepFailed, "step \(step.id): cannot encode the event")))
                        }
                        let answer = await invoke(function, payload, what: "step \(step.id) instance \(item.index)")
                        let seconds = (clock.now - sent).seconds
                        return (item.index, answer.flatMap { body, cold in
                            guard let output = try? JSONDecoder().decode(StepOutput.self, from: body) else {
                                return .failure(LocalError(.stepFailed, "step \(step.id) instance \(item.index): unreadable answer \(String(decoding: body.prefix(300), as: UTF8.self))"))
                            }
                            return .success((output, cold, seconds))
                        })
                    }
                }
                var collected: [(Int, Result<Instance, LocalError>)] = []
                for await result in group { collected.append(result) }
                return collected.sorted { $0.0 < $1.0 }.map(\.1)
            }
            var instances: [Instance] = []
            for result in results {
                switch result {
                case .success(let instance): instances.append(instance)
                case .failure(let failure): return .failure(failure)
                }
            }
            let end = now
            let functionSeconds = instances.map { $0.output.downloadSeconds + $0.output.computeSeconds + $0.output.uploadSeconds }.max() ?? 0
            let decisionSeconds = (answer?.decisionMicroseconds ?? 0) / 1e6
            let platform = settings.platform
            // As Lambda and Step Functions bill the step, with the configurator's own invocation, and the Choice a
            // step with one predecessor passes first.
            let cost = platform.billing.stepUSD(
                instanceSeconds: instances.map(\.seconds), memoryMB: plan.memoryMB,
                configuratorSeconds: answer == nil ? nil : configureEnd - configureStart, checked: chained)
            let record = LocalRunReport.StepRecord(
                id: step.id, kind: step.kind, memoryMB: plan.memoryMB, inter: plan.inter, intra: plan.intra,
                configureStart: configureStart, configureEnd: configureEnd, end: end, decisionSeconds: decisionSeconds,
                predictedSeconds: plan.predictedSeconds, subSLOSeconds: answer?.subSLOSeconds,
                fallback: plan.fallback, cold: instances.filter(\.cold).count,
                warm: instances.filter { !$0.cold }.count, functionSeconds: functionSeconds,
                overheadSeconds: max(0, (end - configureStart) - decisionSeconds - functionSeconds),
                instanceSeconds: instances.map(\.seconds), costUSD: cost, decidedAhead: answer == nil)
            return .success(Outcome(record: record, outputs: instances.map(\.output.outputs), plans: plans))
        }
    }
}

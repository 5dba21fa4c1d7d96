import Foundation
import StepConfCore
import StepConfFunctions
import StepConfLambda
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
        /// Each step's fastest plan, by step index: what it runs on when its configurator cannot answer and no earlier
        /// answer planned it, as the state machine's `Fastest plan` state (``ConfigSource/fastest``).
        let fastest: [ConfiguratorOutput.Planned]

        struct Outcome: Sendable {
            var record: LocalRunReport.StepRecord
            /// Per instance, the keys it wrote.
            var outputs: [[String]]
            /// The plans known when the step ended, by step id: its configurator's answer (``ConfiguratorOutput/steps``),
            /// or the one it ran on, as the state machine carries `$.config` from step to step.
            var plans: [String: ConfiguratorOutput.Planned]
            /// The request's input size the execution was planned for, as the state machine carries it in
            /// `$.config` (``ConfiguratorOutput/Record/inputSize``).
            var inputSize: Double?
        }

        var now: Double { (clock.now - started).seconds }

        /// The configurator's event, as the state machine's Configure task sends it.
        func configuratorEvent(_ v: Int, firstKeys: [String], after: [String: [[String]]], inputSize: Double?) throws -> Data {
            let event = ConfiguratorEvent(
                workflow: graph.workflow.name, step: graph.ids[v], execution: execution, sloSeconds: sloSeconds,
                sloPercentile: settings.percentile, startTime: startUnix, input: stepInput(v, firstKeys: firstKeys, after: after),
                inputSize: graph.predecessors[v].isEmpty ? nil : inputSize)
            return try JSONEncoder().encode(event)
        }

        /// Step `v`'s input as the state machine carries it: the execution's keys for a first step, else what its
        /// predecessors' instances wrote.
        func stepInput(_ v: Int, firstKeys: [String], after: [String: [[String]]]) -> StepInput {
            graph.predecessors[v].isEmpty
                ? StepInput(keys: firstKeys)
                : StepInput(after: after.mapValues { $0.map { StepInput.InstanceResult(outputs: $0) } })
        }

        /// An invocation that failed: what to report, and the function's `errorType` (the name Step Functions matches a
        /// Retry or Catch on) when it answered with an error document.
        struct InvokeFailure: Error {
            var error: LocalError
            var errorType: String?
        }

        /// Invokes `function`; the answer's body and whether it started cold, or the failure with the function's error.
        func invoke(_ function: String, _ payload: Data, what: String) async -> Result<(Data, Bool), InvokeFailure> {
            guard let (outcome, cold) = await emulator.invoke(function, payload: payload) else {
                return .failure(InvokeFailure(error: LocalError(.stepFailed, "\(what): no function `\(function)`")))
            }
            switch outcome {
            case .response(let data): return .success((data, cold))
            case .functionError(let data):
                let document = try? JSONDecoder().decode(ErrorReport.self, from: data)
                return .failure(InvokeFailure(
                    error: LocalError(.stepFailed, "\(what) (\(function)) failed: \(String(decoding: data, as: UTF8.self))"),
                    errorType: document?.errorType))
            }
        }

        /// Runs step `v`: the configurator, then its instances side by side. Every step but the first first looks
        /// for a plan an earlier configurator made ahead (`known`), as the state machine's Choice does: ready by its
        /// deadline, it runs on it without a configurator call.
        func runStep(
            _ v: Int, firstKeys: [String], after: [String: [[String]]], known: [String: ConfiguratorOutput.Planned],
            inputSize: Double? = nil
        ) async -> Result<Outcome, LocalError> {
            let checked = AheadDecision.isChecked(v, in: graph)
            let configureStart = now
            let configured: Configured
            switch await configure(v, checked: checked, firstKeys: firstKeys, after: after, known: known, inputSize: inputSize) {
            case .success(let value): configured = value
            case .failure(let failure): return .failure(failure)
            }
            let configureEnd = now
            let instances: [Instance]
            switch await runInstances(v, plan: configured.plan, input: stepInput(v, firstKeys: firstKeys, after: after)) {
            case .success(let value): instances = value
            case .failure(let failure): return .failure(failure)
            }
            let record = self.record(
                v, configured, instances: instances, checked: checked,
                times: (configureStart: configureStart, configureEnd: configureEnd, end: now))
            // A first step recovered without a configurator's answer is planned for the nominal size, as the state
            // machine's `Fastest plan` state writes it.
            let size = configured.answer?.inputSize ?? inputSize ?? (configured.source.recovered ? 1 : nil)
            return .success(Outcome(record: record, outputs: instances.map(\.output.outputs), plans: configured.plans, inputSize: size))
        }

        /// The plan a step runs on: made ahead, its configurator's (`answer`), or a recovery's, and the plans known
        /// after it.
        struct Configured {
            var plan: ConfiguratorOutput.Planned
            var plans: [String: ConfiguratorOutput.Planned]
            var answer: ConfiguratorOutput.Record?
            var source: ConfigSource
            var recovery: ConfigRecovery?
        }

        /// One instance's answer, whether it started cold, its invocations' time, seconds, and how many times it was lost
        /// mid-run and run again.
        typealias Instance = (output: StepOutput, cold: Bool, seconds: Double, reruns: Int)

        /// The Check and Configure states: the plan made ahead when the step is ready by its deadline, else the
        /// configurator's answer; when the configurator cannot answer, the recovery states' plan (``recover``).
        func configure(
            _ v: Int, checked: Bool, firstKeys: [String], after: [String: [[String]]], known: [String: ConfiguratorOutput.Planned],
            inputSize: Double?
        ) async -> Result<Configured, LocalError> {
            let id = graph.ids[v]
            if checked, let early = known[id], let deadline = early.deadlineSeconds, Date().timeIntervalSince1970 <= deadline {
                return .success(Configured(plan: early, plans: known, answer: nil, source: .decidedAhead))
            }
            let decision: ConfiguratorOutput
            do {
                let event = try configuratorEvent(v, firstKeys: firstKeys, after: after, inputSize: inputSize)
                let (body, _) = try await invoke(
                    FunctionNames.configurator(prefix: settings.functionPrefix), event, what: "configurator for step \(id)"
                ).get()
                decision = try JSONDecoder().decode(ConfiguratorOutput.self, from: body)
            } catch let failure as InvokeFailure {
                return .success(recover(
                    v, known: known, error: .init(error: failure.errorType ?? "Configurator.Failed", cause: failure.error.message)))
            } catch {
                return .success(recover(v, known: known, error: .init(error: "Configurator.UnreadableAnswer", cause: "\(error)")))
            }
            guard let own = decision.plan else {
                return .success(recover(
                    v, known: known, error: .init(error: "Configurator.UnreadableAnswer", cause: "its answer has no plan for step \(id)")))
            }
            return .success(Configured(plan: own, plans: decision.steps, answer: decision.decision, source: .configurator))
        }

        /// When step `v`'s configurator cannot answer: the plan an earlier answer made for it (past its deadline), else
        /// its fastest θ — the state machine's `Recover` states. A first step recovered so is planned for the nominal
        /// input size.
        func recover(_ v: Int, known: [String: ConfiguratorOutput.Planned], error: ConfigRecovery.CaughtError) -> Configured {
            Self.recover(v, graph: graph, known: known, fastest: fastest, error: error)
        }

        static func recover(
            _ v: Int, graph: WorkflowGraph, known: [String: ConfiguratorOutput.Planned], fastest: [ConfiguratorOutput.Planned],
            error: ConfigRecovery.CaughtError
        ) -> Configured {
            let id = graph.ids[v]
            if let earlier = known[id] {
                return Configured(
                    plan: earlier, plans: known, answer: nil, source: .earlierPlan,
                    recovery: ConfigRecovery(configSource: .earlierPlan, error: error))
            }
            return Configured(
                plan: fastest[v], plans: [id: fastest[v]], answer: nil, source: .fastest,
                recovery: ConfigRecovery(configSource: .fastest, error: error))
        }

        /// The Map: one invocation per item, all at once (MaxConcurrency = p); the answers in item order, or the
        /// first failure.
        func runInstances(_ v: Int, plan: ConfiguratorOutput.Planned, input: StepInput) async -> Result<[Instance], LocalError> {
            let step = graph[v]
            let results = await withTaskGroup(of: (Int, Result<Instance, LocalError>).self) { group in
                for item in plan.items {
                    let event = StepEvent(
                        execution: ConfiguratorOutput.runName(execution: execution), step: step.id,
                        index: item.index, intra: item.intra, jobStart: item.jobStart, jobEnd: item.jobEnd,
                        keys: input.share(instance: item.index, of: item.instances), params: step.params)
                    group.addTask { (item.index, await runInstance(event, function: plan.function)) }
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
            return .success(instances)
        }

        /// One instance: its event to `function`, its answer decoded. An instance lost mid-run is run again, as the
        /// state machine's Invoke task retries it (``Retries/instanceLost``); the time of every attempt is billed.
        func runInstance(_ event: StepEvent, function: String) async -> Result<Instance, LocalError> {
            let rule = Retries.instanceLost
            var lostSeconds = 0.0
            var attempt = 0
            while true {
                let sent = clock.now
                let result = await runInstanceOnce(event, function: function)
                switch result {
                case .success(var instance):
                    instance.seconds += lostSeconds
                    instance.reruns = attempt
                    return .success(instance)
                case .failure(let failure):
                    guard let type = failure.errorType, rule.errors.contains(type), attempt < rule.maxAttempts else {
                        return .failure(failure.error)
                    }
                    lostSeconds += (clock.now - sent).seconds
                    // Step Functions' full jitter: a wait drawn from 0 up to the retrier's interval × rate^attempt.
                    let ceiling = Double(rule.intervalSeconds) * pow(rule.backoffRate, Double(attempt))
                    try? await Task.sleep(for: .seconds(Double.random(in: 0...ceiling)))
                    attempt += 1
                }
            }
        }

        /// One attempt of an instance.
        func runInstanceOnce(_ event: StepEvent, function: String) async -> Result<Instance, InvokeFailure> {
            let what = "step \(event.step) instance \(event.index)"
            let sent = clock.now
            guard let payload = try? JSONEncoder().encode(event) else {
                return .failure(InvokeFailure(error: LocalError(.stepFailed, "step \(event.step): cannot encode the event")))
            }
            let answer = await invoke(function, payload, what: what)
            let seconds = (clock.now - sent).seconds
            return answer.flatMap { body, cold in
                guard let output = try? JSONDecoder().decode(StepOutput.self, from: body) else {
                    return .failure(InvokeFailure(error: LocalError(
                        .stepFailed, "\(what): unreadable answer \(String(decoding: body.prefix(300), as: UTF8.self))")))
                }
                return .success((output, cold, seconds, 0))
            }
        }

        /// The step's record: times, the plan, the instances, and its cost as Lambda and Step Functions bill it, with
        /// the configurator's own invocation and the Choice a step with one predecessor passes first.
        func record(
            _ v: Int, _ configured: Configured, instances: [Instance], checked: Bool,
            times: (configureStart: Double, configureEnd: Double, end: Double)
        ) -> LocalRunReport.StepRecord {
            let step = graph[v]
            let plan = configured.plan
            let answer = configured.answer
            let functionSeconds = instances.map { $0.output.downloadSeconds + $0.output.computeSeconds + $0.output.uploadSeconds }.max() ?? 0
            let decisionSeconds = (answer?.decisionMicroseconds ?? 0) / 1e6
            let cost = settings.platform.billing.stepUSD(
                instanceSeconds: instances.map(\.seconds), memoryMB: plan.memoryMB,
                configuratorSeconds: configured.source == .decidedAhead ? nil : times.configureEnd - times.configureStart,
                checked: checked)
            return LocalRunReport.StepRecord(
                id: step.id, kind: step.kind, memoryMB: plan.memoryMB, inter: plan.inter, intra: plan.intra,
                configureStart: times.configureStart, configureEnd: times.configureEnd, end: times.end,
                decisionSeconds: decisionSeconds, predictedSeconds: plan.predictedSeconds, subSLOSeconds: answer?.subSLOSeconds,
                fallback: plan.fallback, cold: instances.filter(\.cold).count,
                warm: instances.filter { !$0.cold }.count, functionSeconds: functionSeconds,
                overheadSeconds: max(0, (times.end - times.configureStart) - decisionSeconds - functionSeconds),
                instanceSeconds: instances.map(\.seconds), costUSD: cost, decidedAhead: configured.source == .decidedAhead,
                warmUps: answer?.warmUps ?? 0, configSource: configured.source, recovery: configured.recovery,
                reruns: instances.map(\.reruns).reduce(0, +))
        }
    }
}

/// The two types of Step Functions state machine, as the template and Step Functions name them.
public enum StateMachineType: String, Sendable, Hashable, Codable, CaseIterable {
    /// Billed per state transition.
    case standard = "STANDARD"
    /// Billed per execution and per GB-second of its duration; no transition is billed.
    case express = "EXPRESS"
}

/// The one billing model (docs/architecture.md, docs/model.md): what Lambda and Step Functions charge, USD. Prediction, the simulator,
/// the local runner, word count and the reports all price through it, so they cannot drift apart.
///
/// Lambda bills each invocation its duration rounded up to the millisecond at the function's memory (GB-seconds ×
/// μ0) plus one request (μ1); Step Functions bills state transitions (μ2). A step is a Configure task (for dynamic
/// policies, one configurator invocation) and a Map whose iterations each invoke one instance.
public struct Billing: Sendable, Hashable {
    public let platform: Platform

    public init(platform: Platform) { self.platform = platform }

    /// The duration Lambda bills for `seconds`: rounded up to the millisecond (never negative), seconds.
    public static func billedSeconds(_ seconds: Double) -> Double {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return (seconds * 1000).rounded(.up) / 1000
    }

    /// One invocation lasting `seconds` at `memoryMB`: its GB-seconds and its request, USD.
    public func invocationUSD(seconds: Double, memoryMB: Int) -> Double {
        Self.billedSeconds(seconds) * Double(memoryMB) / 1024 * platform.pricePerGBSecond + platform.pricePerRequest
    }

    /// Invocations of one function at `memoryMB`, one per duration, USD.
    public func invocationsUSD(_ seconds: [Double], memoryMB: Int) -> Double {
        seconds.reduce(0) { $0 + invocationUSD(seconds: $1, memoryMB: memoryMB) }
    }

    /// `count` state transitions, USD.
    public func transitionsUSD(_ count: Int) -> Double { Double(count) * platform.pricePerTransition }

    /// The transitions of one step whose Map runs `instances` iterations, USD.
    public func stepTransitionsUSD(instances: Int) -> Double {
        transitionsUSD(stepTransitions(instances: instances))
    }

    /// The state transitions of one step as it ran: its Map and its `instances` iterations, its Configure task when a
    /// configurator decided it (`configured`), and the Choice that checked for a decision made ahead (`checked`).
    public func stepTransitions(instances: Int, configured: Bool = false, checked: Bool = false) -> Int {
        platform.transitionsPerStep + instances * platform.transitionsPerInstance + (configured ? 1 : 0) + (checked ? 1 : 0)
    }

    /// What Step Functions bills one execution of `type` that made `transitions` state transitions and lasted
    /// `seconds`, USD: a Standard workflow its transitions; an Express one its request and its duration, rounded up to
    /// 100 ms, at the 64 MB its small state takes (Express bills memory in 64 MB steps), and no transition.
    public func orchestrationUSD(_ type: StateMachineType, transitions: Int, seconds: Double) -> Double {
        switch type {
        case .standard:
            return transitionsUSD(transitions)
        case .express:
            let billed = seconds.isFinite && seconds > 0 ? (seconds * 10).rounded(.up) / 10 : 0
            return platform.pricePerExpressRequest + billed * Self.expressMemoryMB / 1024 * platform.pricePerExpressGBSecond
        }
    }

    /// The memory an Express execution of ours is billed at, MB: its smallest step (its state is a few kilobytes).
    public static let expressMemoryMB = 64.0

    /// One configurator decision whose invocation lasts `seconds`: the invocation at the configurator's memory and
    /// the transition of its Task state, USD.
    public func configuratorUSD(seconds: Double) -> Double {
        invocationUSD(seconds: seconds, memoryMB: platform.configurator.memoryMB) + transitionsUSD(1)
    }

    /// A configurator decision as the model plans it (`configurator.seconds`), USD.
    public var plannedConfiguratorUSD: Double { configuratorUSD(seconds: platform.configurator.billedSeconds) }

    /// A step as it ran: its instances' durations at `memoryMB`, the step's transitions, the configurator's
    /// invocation when the step was decided at run time (`configuratorSeconds`), and the transition of the Choice
    /// that checked for a decision made ahead first (`checked`, ``AheadDecision``), USD.
    public func stepUSD(instanceSeconds: [Double], memoryMB: Int, configuratorSeconds: Double? = nil, checked: Bool = false) -> Double {
        invocationsUSD(instanceSeconds, memoryMB: memoryMB) + stepTransitionsUSD(instances: instanceSeconds.count)
            + launchUSD(configuratorSeconds: configuratorSeconds, checked: checked)
    }

    /// How a step was decided at its start, USD: the configurator's invocation and Task transition when one decided it
    /// (`configuratorSeconds` billed), and the `Check` Choice's transition when the state machine checked first.
    public func launchUSD(configuratorSeconds: Double?, checked: Bool) -> Double {
        (configuratorSeconds.map(configuratorUSD(seconds:)) ?? 0) + (checked ? transitionsUSD(1) : 0)
    }

    /// One warm-up invocation (``Prewarm``) at `memoryMB`: the init phase of a cold instance, `initSeconds` (0 for one
    /// already warm; Lambda bills the init phase since August 2025), and the short invocation the bootstrap answers
    /// at once, USD.
    public func warmUpUSD(initSeconds: Double, memoryMB: Int) -> Double {
        invocationUSD(seconds: initSeconds + Prewarm.invocationSeconds, memoryMB: memoryMB)
    }

    /// A step as the model predicts it (docs/model.md): `instances` invocations of the mean compute time t̂ each,
    /// c = p·(⌈t̂⌉ms·m/1024·μ0 + μ1) + (transitions per step + p · transitions per instance)·μ2, USD.
    public func predictedStepUSD(computeSeconds: Double, memoryMB: Int, instances: Int) -> Double {
        Double(instances) * invocationUSD(seconds: computeSeconds, memoryMB: memoryMB) + stepTransitionsUSD(instances: instances)
    }
}

extension Platform {
    /// Prices on this platform.
    public var billing: Billing { Billing(platform: self) }
}

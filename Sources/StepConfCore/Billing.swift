/// The one billing model (DESIGN §3, §4): what Lambda and Step Functions charge, USD. Prediction, the simulator,
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
        transitionsUSD(platform.transitionsPerStep + instances * platform.transitionsPerInstance)
    }

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
            + (configuratorSeconds.map(configuratorUSD(seconds:)) ?? 0) + (checked ? transitionsUSD(1) : 0)
    }

    /// A step as the model predicts it (DESIGN §4): `instances` invocations of the mean compute time t̂ each,
    /// c = p·(⌈t̂⌉ms·m/1024·μ0 + μ1) + (transitions per step + p · transitions per instance)·μ2, USD.
    public func predictedStepUSD(computeSeconds: Double, memoryMB: Int, instances: Int) -> Double {
        Double(instances) * invocationUSD(seconds: computeSeconds, memoryMB: memoryMB) + stepTransitionsUSD(instances: instances)
    }
}

extension Platform {
    /// Prices on this platform.
    public var billing: Billing { Billing(platform: self) }
}

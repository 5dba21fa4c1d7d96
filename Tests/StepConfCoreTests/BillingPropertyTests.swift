import PropertyBased
import StepConfCore
import Testing

/// The one billing model against Lambda's and Step Functions' price lists, on random invocations.
@Suite struct BillingPropertyTests {
    let billing = Platform.aws.billing

    @Test func anInvocationCostsItsRoundedGBSecondsPlusARequest() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let seconds = rng.unit() * 20
            let memory = [128, 512, 1769, 3008, 10240].randomElement(using: &rng)!
            let billed = (seconds * 1000).rounded(.up) / 1000
            let expected = billed * Double(memory) / 1024 * Platform.aws.priceX86PerGBSecond + Platform.aws.pricePerRequest
            #expect(abs(billing.invocationUSD(seconds: seconds, memoryMB: memory) - expected) <= 1e-15, "seed \(seed)")
            #expect(Billing.billedSeconds(seconds) >= seconds && Billing.billedSeconds(seconds) - seconds < 0.001 + 1e-12)
        }
    }

    @Test func aStepCostsItsInvocationsItsTransitionsAndWhatItsConfiguratorAdds() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let instances = (0..<Int.random(in: 1...32, using: &rng)).map { _ in rng.unit() * 5 }
            let memory = Int.random(in: 128...10240, using: &rng)
            let plain = billing.stepUSD(instanceSeconds: instances, memoryMB: memory)
            let sum = instances.reduce(0.0) { $0 + billing.invocationUSD(seconds: $1, memoryMB: memory) }
            #expect(abs(plain - sum - billing.stepTransitionsUSD(instances: instances.count)) <= 1e-12 * max(1, plain), "seed \(seed)")
            let configured = billing.stepUSD(instanceSeconds: instances, memoryMB: memory, configuratorSeconds: 0.045)
            #expect(abs(configured - plain - billing.configuratorUSD(seconds: 0.045)) <= 1e-15, "seed \(seed)")
            let checked = billing.stepUSD(instanceSeconds: instances, memoryMB: memory, checked: true)
            #expect(abs(checked - plain - Platform.aws.pricePerTransition) <= 1e-15, "a Check Choice is one transition (seed \(seed))")
        }
    }

    @Test func moreTimeOrMoreMemoryNeverCostsLess() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let t = rng.unit() * 10, m = Int.random(in: 128...10000, using: &rng)
            let base = billing.invocationUSD(seconds: t, memoryMB: m)
            #expect(billing.invocationUSD(seconds: t + rng.unit(), memoryMB: m) >= base, "seed \(seed)")
            #expect(billing.invocationUSD(seconds: t, memoryMB: m + Int.random(in: 1...240, using: &rng)) >= base, "seed \(seed)")
        }
    }

    @Test func aPredictedStepIsPricedLikeTheSameInvocationsBilled() {
        let predicted = billing.predictedStepUSD(computeSeconds: 1.2345, memoryMB: 2048, instances: 4)
        let billed = billing.stepUSD(instanceSeconds: [1.2345, 1.2345, 1.2345, 1.2345], memoryMB: 2048)
        #expect(abs(predicted - billed) <= 1e-15)
    }
}

import StepConfCore
import Testing

@Suite struct BillingTests {
    let billing = Platform.aws.billing

    @Test(arguments: [(0.0001, 0.001), (0.001, 0.001), (1.0, 1.0), (1.0004, 1.001), (0, 0), (-1, 0), (.nan, 0), (.infinity, 0)])
    func lambdaBillsDurationsRoundedUpToTheMillisecond(seconds: Double, billed: Double) {
        #expect(abs(Billing.billedSeconds(seconds) - billed) < 1e-12)
    }

    @Test func anInvocationIsItsGBSecondsPlusOneRequest() {
        let p = Platform.aws
        // 0.2504 s at 2048 MB bills 0.251 s × 2 GB.
        let expected = 0.251 * 2 * p.pricePerGBSecond + p.pricePerRequest
        #expect(abs(billing.invocationUSD(seconds: 0.2504, memoryMB: 2048) - expected) < 1e-15)
        #expect(billing.invocationsUSD([], memoryMB: 2048) == 0)
    }

    @Test func aStepIsItsInvocationsItsTransitionsAndItsConfigurator() {
        let p = Platform.aws
        let seconds = [0.1, 0.2, 0.3]
        let transitions = Double(p.transitionsPerStep + 3 * p.transitionsPerInstance) * p.pricePerTransition
        let lambda = seconds.map { billing.invocationUSD(seconds: $0, memoryMB: 1024) }.reduce(0, +)
        #expect(abs(billing.stepUSD(instanceSeconds: seconds, memoryMB: 1024) - (lambda + transitions)) < 1e-15)
        let configurator = billing.invocationUSD(seconds: 0.004, memoryMB: p.configurator.memoryMB) + p.pricePerTransition
        #expect(abs(billing.stepUSD(instanceSeconds: seconds, memoryMB: 1024, configuratorSeconds: 0.004) - (lambda + transitions + configurator)) < 1e-15)
    }

    @Test func aPredictedStepIsPricedAsTheSameInvocationsRun() {
        // p instances of the mean compute time cost what p runs of exactly that time cost.
        let predicted = billing.predictedStepUSD(computeSeconds: 1.2345, memoryMB: 4096, instances: 4)
        #expect(abs(predicted - billing.stepUSD(instanceSeconds: Array(repeating: 1.2345, count: 4), memoryMB: 4096)) < 1e-15)
    }
}

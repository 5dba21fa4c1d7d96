import Foundation
import StepConfCore
import StepConfExamples
import StepConfSimulator
import Testing

/// `evaluate --input-sizes`: each request runs the workflow scaled to its input.
@Suite struct InputSizeEvaluationTests {
    private func evaluation(_ name: String) throws -> Evaluation {
        let workflow = try EmbeddedExamples.workflow(name)
        return try Evaluation(
            graph: try WorkflowGraph(workflow), model: try EmbeddedExamples.model(name, for: workflow), simulator: LambdaSimulator())
    }

    @Test func requestsOfTheNominalSizeRunAsWithFixedSizes() throws {
        // A spread so narrow that every draw is the nominal size: the path that scales each request gives what the
        // fixed path gives, request for request.
        let e = try evaluation("video")
        var fixed = Evaluation.Settings(requests: 30, seed: 4, policies: [.stepconf, .static, .stepconfExact])
        fixed.hindsight = true
        var narrow = fixed
        narrow.inputSizes = .lognormal(sigma: 0.001)
        #expect(narrow.inputSizes.draw(count: 30, seed: 4)?.allSatisfy { $0 == 1 } == true)
        let slos = [1.5 * (try e.fastestMeanMakespan(settings: fixed))]
        let a = try e.run(settings: fixed, slos: slos)
        let b = try e.run(settings: narrow, slos: slos)
        for (x, y) in zip(a, b) {
            #expect(x.durations == y.durations, "\(x.policy)")
            #expect(x.costs == y.costs, "\(x.policy)")
        }
        #expect(a.allSatisfy(\.sizes.isEmpty) && b.allSatisfy { $0.sizes.count == 30 })
        let ha = try Hindsight(evaluation: e).run(settings: fixed, slos: slos)
        let hb = try Hindsight(evaluation: e).run(settings: narrow, slos: slos)
        #expect(ha.map(\.costs) == hb.map(\.costs))
    }

    @Test func aDynamicPolicyPlansEachRequestForItsSizeAndAPlanMadeOnceFitsItsInstancesToTheJobs() throws {
        let e = try evaluation("wordcount")
        var settings = Evaluation.Settings(requests: 120, seed: 9, policies: [.stepconf, .static])
        settings.inputSizes = .lognormal(sigma: 0.6)
        settings.hindsight = false
        let slo = 2 * (try e.fastestMeanMakespan(settings: settings))
        let cells = try e.run(settings: settings, slos: [slo])
        let sizes = try #require(settings.inputSizes.draw(count: 120, seed: 9))
        for cell in cells {
            #expect(cell.sizes == sizes, "\(cell.policy)")
            let bands = try #require(EvaluationResults(
                workflow: "wordcount", settings: settings, fastest: slo / 2, slos: [slo], cells: [cell]).rows.first?.bySize)
            #expect(bands.count == 4 && bands.map(\.requests).reduce(0, +) == 120)
            // Larger inputs cost more whoever decides: more jobs to run.
            #expect(bands.last!.meanCostUSD > bands.first!.meanCostUSD, "\(cell.policy)")
        }
        // A plan made for many jobs, run on a request with fewer: no more instances than jobs.
        let space = try ConfigurationSpace(
            graph: try e.graph(size: 0.05), model: e.model, platform: e.simulator.platform, includesConfigurator: false,
            considerEveryIntra: true)
        let wide = [StepDecision(
            step: 0, option: 0, configuration: Configuration(memoryMB: 2048, inter: 64, intra: 4), seconds: 1, costUSD: 1,
            subSLOSeconds: nil, fallback: false)]
        let fitted = Evaluation.fitted(wide, to: space)
        let jobs = space.graph[0].jobs
        #expect(fitted[0].configuration.memoryMB == 2048 && fitted[0].configuration.inter <= jobs)
        #expect(fitted[0].configuration.inter == space.steps[0].configurations.filter { $0.memoryMB == 2048 && $0.inter <= jobs }.map(\.inter).max())
        #expect(space.graph[0].canRun(fitted[0].configuration))
    }
}

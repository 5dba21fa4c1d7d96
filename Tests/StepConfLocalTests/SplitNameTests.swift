import Testing

@testable import StepConfLocal

/// The function and qualifier an Invoke API path names, in every form Lambda takes.
@Suite struct SplitNameTests {
    @Test(arguments: [
        ("echo", "echo", nil), ("echo:prod", "echo", "prod"), ("echo:7", "echo", "7"),
        ("123456789012:function:echo", "echo", nil), ("123456789012:function:echo:live", "echo", "live"),
        ("arn:aws:lambda:us-east-1:123456789012:function:echo", "echo", nil),
        ("arn:aws:lambda:eu-west-1:123456789012:function:echo:$LATEST", "echo", "$LATEST"),
        ("", "", nil),
    ] as [(String, String, String?)])
    func aPathNamesItsFunctionAndQualifier(path: String, name: String, qualifier: String?) {
        let split = EmulatorServer.splitName(path)
        #expect(split.name == name && split.qualifier == qualifier)
    }
}

@Suite struct PolicyNameTests {
    @Test(arguments: PolicyName.allCases)
    func everyNameParsesWhateverItsCaseAndSaysItsRole(policy: PolicyName) throws {
        #expect(try PolicyName.parse(policy.rawValue.uppercased()) == policy)
        #expect(policy.isDynamic == [.stepconf, .intraOnly, .interOnly, .stepconfExact].contains(policy))
        let grid = policy.grid(from: .paper)
        switch policy {
        case .nono: #expect(grid.inter == [1] && grid.intra == [1])
        case .intraOnly: #expect(grid.inter == [1] && grid.intra == ConfigurationGrid.paper.intra)
        case .interOnly: #expect(grid.intra == [1] && grid.inter == ConfigurationGrid.paper.inter)
        default: #expect(grid == .paper)
        }
        #expect(PolicyName.known.contains(policy.rawValue))
    }
}

import StepConfCore

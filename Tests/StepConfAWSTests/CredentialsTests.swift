import Foundation
import StepConfAWS
import Testing

@Suite struct CredentialsTests {
    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-aws-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path + "/.aws", withIntermediateDirectories: true)
        return path
    }

    @Test func environmentKeysWinAndCarryTheSessionToken() throws {
        let environment = AWSEnvironment(
            variables: ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "envtoken"],
            home: "/nonexistent")
        let credentials = try DefaultCredentialChain(environment).credentials()
        #expect(credentials == AWSCredentials(accessKeyID: "AKIAENV", secretAccessKey: "envsecret", sessionToken: "envtoken"))
    }

    @Test func profilesComeFromTheSharedFiles() throws {
        let home = try temporaryDirectory()
        try """
            [default]
            aws_access_key_id = AKIADEFAULT
            aws_secret_access_key = defaultsecret

            [work]
            aws_access_key_id=AKIAWORK
            aws_secret_access_key=worksecret
            aws_session_token = worktoken
            """.write(toFile: home + "/.aws/credentials", atomically: true, encoding: .utf8)
        try """
            [profile work]
            region = eu-central-1
            s3 =
              addressing_style = path
            [profile configonly]
            aws_access_key_id = AKIACONFIG
            aws_secret_access_key = configsecret
            [profile assumed]
            role_arn = arn:aws:iam::1:role/x
            """.write(toFile: home + "/.aws/config", atomically: true, encoding: .utf8)
        let base = AWSEnvironment(variables: [:], home: home)
        #expect(try ProfileCredentialProvider(base).credentials().accessKeyID == "AKIADEFAULT")
        let work = AWSEnvironment(variables: ["AWS_PROFILE": "work"], home: home)
        #expect(try DefaultCredentialChain(work).credentials().sessionToken == "worktoken")
        let configuration = try AWSConfiguration.resolve(work)
        #expect(configuration.region == "eu-central-1" && configuration.s3Addressing == .path)
        #expect(configuration.endpoint(.dynamodb).description == "https://dynamodb.eu-central-1.amazonaws.com")
        #expect(try ProfileCredentialProvider(base, profile: "configonly").credentials().accessKeyID == "AKIACONFIG")
        let assumed = #expect(throws: AWSError.self) { try ProfileCredentialProvider(base, profile: "assumed").credentials() }
        #expect(assumed?.message.contains("role_arn") == true)
        let missing = #expect(throws: AWSError.self) { try ProfileCredentialProvider(base, profile: "absent").credentials() }
        #expect(missing?.code == .credentials)
    }

    @Test func theContainerEndpointIsAskedWithItsToken() throws {
        let server = try HelperServer(script: "http_test_server.py")
        let environment = AWSEnvironment(
            variables: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer t0k"],
            home: "/nonexistent")
        let provider = ContainerCredentialProvider(environment)
        let credentials = try provider.credentials()
        #expect(credentials.accessKeyID == "ASIACONTAINER" && credentials.sessionToken == "containertoken")
        #expect(credentials.expiration != nil)
        #expect(try DefaultCredentialChain(environment).credentials().accessKeyID == "ASIACONTAINER")
    }

    @Test func errorsAndDescriptionsNeverShowSecrets() throws {
        let credentials = AWSCredentials(accessKeyID: "AKIAVISIBLE", secretAccessKey: "hunter2-very-secret", sessionToken: "token-very-secret")
        for text in [String(describing: credentials), String(reflecting: credentials), "\(credentials)"] {
            #expect(!text.contains("very-secret"))
        }
        let environment = AWSEnvironment(variables: ["AWS_ACCESS_KEY_ID": "AKIAONLY", "AWS_SECRET_ACCESS_KEY": ""], home: "/nonexistent")
        let error = #expect(throws: AWSError.self) { try DefaultCredentialChain(environment).credentials() }
        #expect(error?.code == .credentials && error?.message.contains("no AWS credentials found") == true)
    }

    @Test func endpointsAndRegionsResolveAsTheCLIDoes() throws {
        let environment = AWSEnvironment(
            variables: [
                "AWS_DEFAULT_REGION": "ap-south-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
                "AWS_ENDPOINT_URL_S3": "http://localhost:9000/base/", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b",
            ],
            home: "/nonexistent")
        let configuration = try AWSConfiguration.resolve(environment)
        #expect(configuration.region == "ap-south-1")
        #expect(configuration.endpoint(.s3).description == "http://localhost:9000/base")
        #expect(configuration.endpoint(.dynamodb).description == "http://127.0.0.1:5000")
        #expect(configuration.endpoint(.stepFunctions).host == "127.0.0.1:5000")
        var ignoring = environment
        ignoring.variables["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        #expect(try AWSConfiguration.resolve(ignoring).endpoint(.s3).description == "https://s3.ap-south-1.amazonaws.com")
        let noRegion = #expect(throws: AWSError.self) { try AWSConfiguration.resolve(AWSEnvironment(variables: [:], home: "/nonexistent")) }
        #expect(noRegion?.message.contains("AWS_REGION") == true)
        let badURL = #expect(throws: AWSError.self) {
            try AWSConfiguration.resolve(AWSEnvironment(variables: ["AWS_REGION": "x", "AWS_ENDPOINT_URL_SFN": "ftp://x"], home: "/nonexistent"))
        }
        #expect(badURL?.message.contains("AWS_ENDPOINT_URL_SFN") == true)
    }

    @Test func s3AddressingFollowsTheEndpoint() throws {
        let credentials = StaticCredentialProvider(AWSCredentials(accessKeyID: "a", secretAccessKey: "b"))
        let aws = S3Client(configuration: try AWSConfiguration(region: "eu-west-1", credentials: credentials))
        let url = try aws.presignedURL(bucket: "my-bucket", key: "a b/c.txt")
        #expect(url.hasPrefix("https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b/c.txt?"))
        let local = S3Client(configuration: try AWSConfiguration(
            region: "eu-west-1", credentials: credentials, endpoints: [.s3: try AWSEndpoint("http://127.0.0.1:9000")]))
        #expect(try local.presignedURL(bucket: "my-bucket", key: "k").hasPrefix("http://127.0.0.1:9000/my-bucket/k?"))
        let forced = S3Client(configuration: try AWSConfiguration(region: "eu-west-1", credentials: credentials, s3Addressing: .path))
        #expect(try forced.presignedURL(bucket: "my-bucket", key: "k").hasPrefix("https://s3.eu-west-1.amazonaws.com/my-bucket/k?"))
    }
}

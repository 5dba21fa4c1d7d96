import Testing

/// The suites that start an emulator inside the test process, one at a time: each emulator's actor and handlers run
/// on the same two cooperative threads as every other test, so several at once under the full suite starved them.
@Suite(.serialized) enum InProcessEmulatorSuites {}

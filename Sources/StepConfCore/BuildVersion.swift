/// The version of StepConf every binary carries (`stepconf --version`, `bootstrap --version`, the bundle), and the
/// format of the Lambda bundle `deploy/build.sh` stages (bootstrap + `workflows/`): a CLI and a bundle of different
/// formats do not work together.
public enum BuildVersion {
    public static let version = "0.22.0"
    public static let bundleFormat = 1

    /// "0.22.0 (bundle format 1)" with ", commit C" when it is known.
    public static func describe(commit: String?) -> String {
        "\(version) (bundle format \(bundleFormat)" + (commit.map { ", commit \($0)" } ?? "") + ")"
    }
}

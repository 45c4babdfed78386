import KeyCore

extension Options {
  /// `--org-id UUID`: px0's organization, for every command that talks to px0.
  static let orgID: Option<String?> = .uuid(
    "org-id", provider: .px0, help: "The px0 organization (default: PX0_ORG_ID).")

  /// `--workspace-id UUID`: the OpenRouter workspace a command works in.
  static let workspaceID: Option<String?> = .uuid(
    "workspace-id", provider: .openrouter,
    help: "The OpenRouter workspace (default: the default workspace).")
}

extension Options {
  /// `-y/--yes`: go ahead without asking, for scripts (a command that changes
  /// keys asks only a person at a terminal, and refuses anyone else without it).
  static let yes: Option<Bool> = .flag(
    "yes", short: "y",
    help: "Do it without asking. Required when stdin or stderr is not a terminal.")

  /// `--dry-run`: read what would change and print it, change nothing.
  static let dryRun: Option<Bool> = .flag(
    "dry-run", help: "Look the keys up and print what would happen; change nothing.")

  /// `--concurrency N`: requests in flight at once.
  static let concurrency: Option<Int?> = .integer(
    "concurrency", value: "N", in: 1...64, help: "Requests in flight at once: 1 to 64.")
}

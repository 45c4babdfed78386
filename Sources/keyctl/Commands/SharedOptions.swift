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

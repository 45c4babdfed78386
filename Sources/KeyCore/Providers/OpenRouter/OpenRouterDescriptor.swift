extension ProviderID {
  /// OpenRouter's management API.
  public static let openrouter = ProviderID(rawValue: "openrouter")
}

extension ProviderDescriptor {
  /// OpenRouter: a management key as `Bearer`; keys listed 100 at a time by
  /// offset, read, created, changed (`PATCH`) and deleted, but not given a
  /// new secret in place. It reports expiry, last use and disabled keys.
  static let openrouter = ProviderDescriptor(
    id: .openrouter, displayName: "OpenRouter",
    capabilities: Capabilities(
      operations: [.list, .get, .create, .update, .delete], paging: .offset, maxPageSize: 100,
      reportedFields: [.createdAt, .expiresAt, .lastUsedAt, .status]),
    credentialSources: [
      ["OPENROUTER_MANAGEMENT_KEY"], ["OPENROUTER_PROVISIONING_KEY"], ["OPENROUTER_API_KEY"],
    ],
    credentialAdvice:
      "set OPENROUTER_MANAGEMENT_KEY, or OPENROUTER_PROVISIONING_KEY, or OPENROUTER_API_KEY",
    baseURLVariables: ["KEYCTL_OPENROUTER_BASE_URL", "OPENROUTER_BASE_URL"],
    defaultBaseURL: "https://openrouter.ai/api/v1",
    settings: [ProviderSetting(key: "workspace_id", format: .uuid)],
    authorization: .bearer,
    authHint: { credential in
      "OpenRouter refused \(credential.source): key management needs a management "
        + "key (https://openrouter.ai/settings/management-keys) in OPENROUTER_MANAGEMENT_KEY."
    },
    parseError: OpenRouterProvider.parseError,
    makeAdapter: { parts in
      OpenRouterProvider(client: parts.client, workspaceID: parts.settings["workspace_id"])
    })
}

extension ProviderID {
  /// px0, the self-hosted prompt infrastructure server.
  public static let px0 = ProviderID(rawValue: "px0")
}

extension ProviderDescriptor {
  /// px0: a session token as `Bearer`; one page per organization, so every
  /// call needs the organization's id (`--org-id`, `PX0_ORG_ID`, or the
  /// config file's `org_id`); the whole lifecycle, regenerate included.
  static let px0 = ProviderDescriptor(
    id: .px0, displayName: "px0",
    capabilities: Capabilities(
      operations: [.list, .get, .create, .update, .delete, .regenerate], paging: .none,
      maxPageSize: nil, reportedFields: [.createdAt, .lastUsedAt]),
    credentialSources: [["PX0_ACCESS_TOKEN"], ["PX0_API_KEY"]],
    credentialAdvice: "set PX0_ACCESS_TOKEN (a session token, sess_…), or PX0_API_KEY",
    baseURLVariables: ["KEYCTL_PX0_BASE_URL", "PX0_HOST"], defaultBaseURL: "http://localhost:8000",
    settings: [ProviderSetting(key: "org_id", variables: ["PX0_ORG_ID"])], keyIDsAreUUIDs: true,
    authorization: .bearer,
    authHint: Px0Provider.authHint,
    parseError: Px0Provider.parseError,
    makeAdapter: { parts in
      // Checked here so that a missing or malformed org id stops before any request.
      Px0Provider(
        client: parts.client,
        orgID: try Px0Provider.orgID(
          override: parts.overrides.orgID, environment: parts.environment))
    })
}

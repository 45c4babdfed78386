extension ProviderID {
  /// fal.ai's platform API.
  public static let fal = ProviderID(rawValue: "fal")
}

extension ProviderDescriptor {
  /// fal: admin keys are `id:secret` sent as `Authorization: Key …`; keys are
  /// listed by cursor and created and deleted, never updated (no such
  /// endpoint), and found one by one only by paging the list.
  static let fal = ProviderDescriptor(
    id: .fal, displayName: "fal",
    capabilities: Capabilities(
      operations: [.list, .get, .create, .delete], paging: .cursor, maxPageSize: 100,
      reportedFields: [.createdAt]),
    credentialSources: [["FAL_ADMIN_KEY"], ["FAL_KEY"], ["FAL_KEY_ID", "FAL_KEY_SECRET"]],
    credentialAdvice:
      "set FAL_ADMIN_KEY (an admin key, id:secret), or FAL_KEY, or FAL_KEY_ID and FAL_KEY_SECRET",
    baseURLVariables: ["KEYCTL_FAL_BASE_URL"], defaultBaseURL: "https://api.fal.ai/v1",
    authorization: AuthHeader(name: "Authorization", prefix: "Key "),
    idempotencyKeyHeader: "Idempotency-Key",
    authHint: { credential in
      "fal refused \(credential.source): key management needs an admin-scope key "
        + "(id:secret) in FAL_ADMIN_KEY."
    },
    parseError: FalProvider.parseError,
    makeAdapter: { parts in FalProvider(client: parts.client) })
}

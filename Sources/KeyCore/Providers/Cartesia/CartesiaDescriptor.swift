extension ProviderID {
  /// Cartesia's admin API.
  public static let cartesia = ProviderID(rawValue: "cartesia")
}

extension ProviderDescriptor {
  /// Cartesia: an admin key as `Bearer`, and an API version on every request
  /// (it refuses requests without one); keys can be listed and read, but its
  /// API has no endpoint to create, change or delete them.
  static let cartesia = ProviderDescriptor(
    id: .cartesia, displayName: "Cartesia",
    capabilities: Capabilities(
      operations: [.list, .get], paging: .startingAfter, maxPageSize: 100,
      reportedFields: [.createdAt, .creatorMembership]),
    credentialSources: [["CARTESIA_ADMIN_KEY"], ["CARTESIA_API_KEY"]],
    credentialAdvice: "set CARTESIA_ADMIN_KEY (sk_car_admin_…), or CARTESIA_API_KEY",
    baseURLVariables: ["KEYCTL_CARTESIA_BASE_URL", "CARTESIA_BASE_URL"],
    defaultBaseURL: "https://api.cartesia.ai",
    authorization: .bearer,
    extraHeaders: [("Cartesia-Version", CartesiaProvider.apiVersion)],
    authHint: { credential in
      "Cartesia refused \(credential.source): listing keys needs an admin key "
        + "(sk_car_admin_…, from https://play.cartesia.ai/keys/admin) in CARTESIA_ADMIN_KEY."
    },
    parseError: CartesiaProvider.parseError,
    makeAdapter: { parts in CartesiaProvider(client: parts.client) })
}

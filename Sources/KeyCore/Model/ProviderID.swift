import Foundation

/// The name of a provider keyctl speaks to, as users type it after `-p`.
///
/// A struct rather than an enum, so that adding a provider touches its own
/// folder and the descriptor list (`Providers.all`) and nothing here: each
/// provider declares its id next to its descriptor (`ProviderID.fal` lives in
/// `Providers/Fal/FalDescriptor.swift`). Any string makes an id; whether keyctl
/// knows it is `ProviderRegistry.descriptor(for:)`'s answer, and every fact
/// about it (display name, capabilities, variables) is read from there.
public struct ProviderID: RawRepresentable, Hashable, Comparable, Sendable,
  CustomStringConvertible
{
  /// The name users type after `-p` and keyctl prints in the `provider` field.
  public let rawValue: String

  /// Wraps a name; it need not name a known provider (see `descriptor`).
  public init(rawValue: String) {
    self.rawValue = rawValue
  }

  /// Every known provider, in the order of `Providers.all`: the order in which
  /// a multi-provider listing prints keys, so that output order never depends
  /// on which provider answered first.
  public static var allCases: [ProviderID] { Providers.ids }

  /// The descriptor of this provider, or nil when keyctl does not know it.
  public var descriptor: ProviderDescriptor? { ProviderRegistry.descriptor(for: self) }

  /// The name people read in messages ("OpenRouter", not "openrouter"); an
  /// unknown provider's raw name.
  public var displayName: String { descriptor?.displayName ?? rawValue }

  /// What the provider's API can do; drives `keyctl providers`, help text and
  /// the "not supported" errors before any request is sent. An unknown
  /// provider can do nothing.
  public var capabilities: Capabilities { descriptor?.capabilities ?? .none }

  /// The raw name, so that interpolating an id prints what users type.
  public var description: String { rawValue }

  /// Orders providers the way listings print them; unknown ones after the
  /// known, by name, so that sorting is total.
  public static func < (lhs: ProviderID, rhs: ProviderID) -> Bool {
    let order = Providers.order
    switch (order[lhs], order[rhs]) {
    case (let left?, let right?): return left < right
    case (.some, nil): return true
    case (nil, .some): return false
    case (nil, nil): return lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }
  }
}

extension ProviderID {
  /// The environment variables that may hold this provider's credential, in
  /// the order tried (forwards to the descriptor).
  public var credentialVariables: [String] { descriptor?.credentialVariables ?? [] }

  /// How to say which variables to set, for a "no credentials" message.
  public var credentialAdvice: String {
    descriptor?.credentialAdvice ?? "keyctl does not know the provider '\(rawValue)'"
  }

  /// The environment variables that override the base URL, in the order tried.
  public var baseURLVariables: [String] { descriptor?.baseURLVariables ?? [] }

  /// The provider's public API root; empty for an unknown provider.
  public var defaultBaseURL: String { descriptor?.defaultBaseURL ?? "" }

  /// The credential in `environment`, by the documented precedence (see
  /// `ProviderDescriptor.credential(in:)`); nil for an unknown provider.
  public func credential(in environment: [String: String]) -> Credential? {
    descriptor?.credential(in: environment)
  }

  /// The base URL to use: `--base-url`, else the environment, else the default
  /// (see `ProviderDescriptor.baseURL(override:environment:)`).
  public func baseURL(override: String?, environment: [String: String]) throws -> URL {
    guard let descriptor else { throw ProviderRegistry.unknown(self) }
    return try descriptor.baseURL(override: override, environment: environment)
  }
}

import Foundation

/// keyctl's own opaque `next_cursor`: where every provider of one listing stands.
///
/// One token covers all providers of the call, so `--cursor` resumes each of
/// them exactly where the last output stopped. It is base64url of a small JSON
/// document; users treat it as opaque, and a token that does not decode, or was
/// made for another set of providers or filters, is refused as a usage error.
public struct PageCursor: Sendable, Equatable {
  /// Where one provider stands.
  public enum State: Sendable, Equatable {
    /// Resume at `position`, skipping the first `skip` keys of that page; `pageSize` is the
    /// size the page was fetched with, because fal's position only means something with it.
    case at(PagePosition, skip: Int, pageSize: Int?)
    /// This provider has nothing left.
    case done
  }

  /// The state of every provider in the listing.
  public var states: [ProviderID: State]
  /// A fingerprint of the provider-side filters, so a cursor is not reused with other filters.
  public var filter: String

  /// Creates a cursor.
  public init(states: [ProviderID: State], filter: String) {
    self.states = states
    self.filter = filter
  }

  /// The opaque token printed as `next_cursor`.
  public func encoded() -> String {
    var providers: [String: Any] = [:]
    for (provider, state) in states {
      switch state {
      case .done:
        providers[provider.rawValue] = ["d"]
      case .at(let position, let skip, let pageSize):
        var entry: [Any] = ["a", skip, pageSize ?? 0]
        if case .token(let token) = position { entry.append(token) }
        providers[provider.rawValue] = entry
      }
    }
    let document: [String: Any] = ["v": 1, "f": filter, "p": providers]
    let data =
      (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data()
    return data.base64EncodedString()
      .replacingOccurrences(of: "+", with: "-")
      .replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }

  /// Decodes a token, checking it belongs to this listing.
  public static func decode(_ token: String, providers: [ProviderID], filter: String) throws
    -> PageCursor
  {
    let corrupt = KeyError.usage(
      "--cursor '\(token.prefix(24))\(token.count > 24 ? "…" : "")' is not a cursor keyctl made "
        + "(it may be truncated or edited)",
      help: "keyctl list --help")
    var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(
      of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    guard let data = Data(base64Encoded: base64),
      let document = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
      document["v"] as? Int == 1, let storedFilter = document["f"] as? String,
      let entries = document["p"] as? [String: Any]
    else { throw corrupt }
    var states: [ProviderID: State] = [:]
    for (name, value) in entries {
      guard let provider = ProviderID(rawValue: name), let entry = value as? [Any],
        let tag = entry.first as? String
      else { throw corrupt }
      if tag == "d" {
        states[provider] = .done
      } else if tag == "a", entry.count >= 3, let skip = entry[1] as? Int, skip >= 0,
        let size = entry[2] as? Int
      {
        let position = entry.count > 3 ? (entry[3] as? String).map(PagePosition.token) : .start
        guard let position else { throw corrupt }
        states[provider] = .at(position, skip: skip, pageSize: size > 0 ? size : nil)
      } else {
        throw corrupt
      }
    }
    let made = states.keys.sorted()
    guard made == providers.sorted() else {
      throw KeyError.usage(
        "--cursor was made for provider(s) \(made.map(\.rawValue).joined(separator: ",")) but "
          + "this call lists \(providers.sorted().map(\.rawValue).joined(separator: ","))",
        help: "keyctl list --help")
    }
    guard storedFilter == filter else {
      throw KeyError.usage(
        "--cursor was made with other provider filters; repeat the call with the same filter "
          + "options as the call that printed it", help: "keyctl list --help")
    }
    return PageCursor(states: states, filter: filter)
  }
}

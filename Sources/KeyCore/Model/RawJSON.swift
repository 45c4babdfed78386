import Foundation

/// One JSON value as a provider sent it, made safe to splice into keyctl's
/// output.
///
/// `raw` keeps the provider's object so that nothing the normalization dropped
/// is lost to a script that needs it. It is kept as bytes — the provider's
/// own, except that white space between tokens is gone, characters that move a
/// terminal are `\uXXXX`-escaped inside strings and credentials are masked (see
/// `JSONValue.raw`) — so carrying it costs one copy, and a writer can splice it
/// into one ndjson line as it is. A value is only ever made from a body that
/// parsed as strict JSON, so `raw` cannot break the output's JSON either.
public struct RawJSON: Sendable, Equatable {
  /// UTF-8 JSON text of exactly one value: one line, no raw control characters.
  public let bytes: Data

  /// Wraps bytes that `JSONValue.raw` produced.
  init(sanitized bytes: Data) {
    self.bytes = bytes
  }

  /// Checks `json` as strict JSON and keeps it the way `raw` is kept; throws
  /// a description of the problem when it is not strict JSON.
  public init(parsing json: Data) throws {
    do {
      self = try JSONDocument(parsing: json).root.raw()
    } catch {
      throw KeyError(.badResponse, error.description)
    }
  }

  /// The JSON `null`, for keys built without a provider object (tests, synthetic rows).
  public static let null = RawJSON(sanitized: Data("null".utf8))
}

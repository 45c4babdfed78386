import Foundation

/// The bytes of one JSON value exactly as a provider sent them.
///
/// Kept as bytes rather than re-encoded so that `raw` in the output is the
/// provider's object byte for byte, and so that carrying it costs one copy
/// instead of a decode and an encode of every field.
public struct RawJSON: Sendable, Equatable {
  /// UTF-8 JSON text of exactly one value.
  public let bytes: Data

  /// Wraps bytes that the caller has already seen parse as one JSON value.
  public init(bytes: Data) {
    self.bytes = bytes
  }

  /// The JSON `null`, for keys built without a provider object (tests, synthetic rows).
  public static let null = RawJSON(bytes: Data("null".utf8))
}

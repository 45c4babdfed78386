import Foundation

extension RawJSON {
  /// A create response's object without its secret fields, re-encoded with
  /// sorted keys (so, unlike a listed key's `raw`, not byte for byte).
  ///
  /// `raw` of a created key must not carry the secret a second time: scripts
  /// save key metadata to files, and the secret belongs only in `secret`.
  static func stripping(_ fields: Set<String>, from body: Data, under container: String? = nil)
    -> RawJSON
  {
    guard var object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
      return .null
    }
    if let container {
      guard let inner = object[container] as? [String: Any] else { return .null }
      object = inner
    }
    for field in fields { object.removeValue(forKey: field) }
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    else { return .null }
    return RawJSON(bytes: data)
  }
}

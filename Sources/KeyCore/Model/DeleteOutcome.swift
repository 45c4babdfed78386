/// What a delete found: the key was deleted, or the provider had no such key.
///
/// Not-found is an outcome, not an error, because a bulk delete reports it
/// per key (`not_found`) and carries on; fal answers 204 for any id, so its
/// deletes are always `.deleted`.
public enum DeleteOutcome: String, Sendable, Equatable {
  /// The provider deleted the key (or says it no longer exists).
  case deleted
  /// The provider said it has no key with that id.
  case notFound = "not_found"
}

/// What one provider's key API supports, known before any request is made.
///
/// Commands ask `supports(_:)` before they build anything, so an operation the
/// API cannot do is refused (exit 8) without a request; `keyctl providers`,
/// help text and the audit rules read the same value.
public struct Capabilities: Sendable, Equatable {
  /// The operations of keyctl's vocabulary (DESIGN.md "Key lifecycle").
  public enum Operation: String, CaseIterable, Sendable {
    /// Page through the provider's keys.
    case list
    /// Read one key by id.
    case get
    /// Create a key (and show its secret once).
    case create
    /// Change a key's settings in place.
    case update
    /// Delete (revoke) a key.
    case delete
    /// Give a key a new secret under the same id.
    case regenerate
  }

  /// How a provider's list endpoint moves from one page to the next.
  public enum Paging: String, Sendable {
    /// The whole list comes in one response.
    case none
    /// An opaque `cursor` / `next_cursor` pair (fal).
    case cursor
    /// The last id of a page is sent back as `starting_after` (Cartesia).
    case startingAfter = "starting_after"
    /// A numeric `offset` grown by the fixed page size (OpenRouter).
    case offset
  }

  /// A field of the normalized key that a provider may or may not report.
  ///
  /// A provider that does not track a field reports `null` for every key, and
  /// the audit must not read that as "never used" or "no expiry": each rule is
  /// applied only to providers that report the field it reads.
  public enum ReportedField: String, CaseIterable, Sendable {
    /// `created_at`.
    case createdAt = "created_at"
    /// `expires_at`.
    case expiresAt = "expires_at"
    /// `last_used_at`.
    case lastUsedAt = "last_used_at"
    /// `status` (`disabled` in particular).
    case status
    /// Whether the key's creator is still in the organization (Cartesia's
    /// `creator_still_in_org`, read from `raw`).
    case creatorMembership = "creator_membership"
  }

  /// The operations the provider's API offers.
  public var operations: Set<Operation>
  /// The paging style of the list endpoint.
  public var paging: Paging
  /// The largest page the provider serves, or nil when it has no page size.
  public var maxPageSize: Int?
  /// The fields the provider reports for its keys.
  public var reportedFields: Set<ReportedField>

  /// Creates capabilities.
  public init(
    operations: Set<Operation>, paging: Paging, maxPageSize: Int?,
    reportedFields: Set<ReportedField>
  ) {
    self.operations = operations
    self.paging = paging
    self.maxPageSize = maxPageSize
    self.reportedFields = reportedFields
  }

  /// What an unknown provider can do: nothing.
  public static let none = Capabilities(
    operations: [], paging: .none, maxPageSize: nil, reportedFields: [])

  /// Whether the provider's API offers `operation`.
  public func supports(_ operation: Operation) -> Bool {
    operations.contains(operation)
  }

  /// Whether the provider reports `field` for its keys.
  public func reports(_ field: ReportedField) -> Bool {
    reportedFields.contains(field)
  }

  /// Whether the provider's API can create keys at all (`supports(.create)`).
  public var canCreate: Bool { supports(.create) }

  /// Whether keyctl can rotate the provider's keys: create the replacement,
  /// then retire the old key. Not an operation of the API but two of them, so
  /// it is derived rather than declared, and cannot disagree with them.
  public var canRotate: Bool { supports(.create) && supports(.delete) }

  /// The lifecycle as people read it — list, get, create, update, delete,
  /// rotate, regenerate — each with whether the provider can do it: what
  /// `keyctl providers` shows, in that order, in its table and its JSON.
  public var lifecycle: [(name: String, supported: Bool)] {
    [
      ("list", supports(.list)), ("get", supports(.get)), ("create", supports(.create)),
      ("update", supports(.update)), ("delete", supports(.delete)), ("rotate", canRotate),
      ("regenerate", supports(.regenerate)),
    ]
  }
}

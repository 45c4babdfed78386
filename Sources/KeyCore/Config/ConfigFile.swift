/// Where a provider's credential comes from: never the secret itself, only how
/// to get it, so that knowing the source costs nothing and leaks nothing.
public enum CredentialSource: Sendable, Hashable {
  /// Environment variables; several (fal's `FAL_KEY_ID` and `FAL_KEY_SECRET`)
  /// are joined with `:` into one credential.
  case environment([String])
  /// A file holding the credential, as written (`~/` not yet expanded).
  case file(String)
  /// A command run with `/bin/sh -c` whose trimmed stdout is the credential.
  case command(String)

  /// The config-file key that names this kind of source.
  public var configKey: String {
    switch self {
    case .environment: "credential_env"
    case .file: "credential_file"
    case .command: "credential_command"
    }
  }
}

/// One value from the config file and the line that set it, so that a value
/// refused later (a bad base URL) can still be blamed on `file:line`.
public struct ConfigEntry<Value: Sendable & Equatable>: Sendable, Equatable {
  /// The value, checked for its type.
  public var value: Value
  /// The key it was written under (`base_url`, `credential_file`, …).
  public var key: String
  /// 1-based line of the key.
  public var line: Int

  /// Creates an entry; tests build files without parsing through this.
  public init(_ value: Value, key: String, line: Int) {
    self.value = value
    self.key = key
    self.line = line
  }
}

/// keyctl's config file, parsed and checked against a `ConfigSchema`.
///
/// Only what the schema allows survives parsing, so code that reads a
/// `ConfigFile` never meets an unknown key, a wrong type, a literal secret or
/// two credential sources in one table.
public struct ConfigFile: Sendable, Equatable {
  /// The settings of one provider table: `[fal]` or `[profile.staging.fal]`.
  public struct Table: Sendable, Equatable {
    /// Where the credential comes from, if the table says.
    public var credential: ConfigEntry<CredentialSource>?
    /// `base_url`, unchecked: the base-URL rules apply when it is used.
    public var baseURL: ConfigEntry<String>?
    /// The provider's extra keys (`org_id`, `workspace_id`), by key.
    public var settings: [String: ConfigEntry<String>]

    /// Creates a table.
    public init(
      credential: ConfigEntry<CredentialSource>? = nil, baseURL: ConfigEntry<String>? = nil,
      settings: [String: ConfigEntry<String>] = [:]
    ) {
      self.credential = credential
      self.baseURL = baseURL
      self.settings = settings
    }
  }

  /// The file's path as messages print it.
  public var path: String
  /// The top-level provider tables (`[fal]`), used when no profile is chosen and as
  /// the fallback for what a chosen profile leaves unset.
  public var providers: [String: Table]
  /// Profile name → provider → table. A profile declared only by `[profile.NAME]`
  /// exists with no tables.
  public var profiles: [String: [String: Table]]

  /// Creates a file's contents; `parse` is the usual way.
  public init(
    path: String, providers: [String: Table] = [:], profiles: [String: [String: Table]] = [:]
  ) {
    self.path = path
    self.providers = providers
    self.profiles = profiles
  }

  /// The profiles the file defines, sorted, for "unknown profile" messages and completions.
  public var profileNames: [String] { profiles.keys.sorted() }

  /// Parses and checks a config file's bytes.
  ///
  /// Every error is a usage error (exit 2) whose message starts with
  /// `PATH:LINE:` and never repeats a value from the file, since a value may be
  /// a secret written there by mistake.
  public static func parse(_ bytes: some Collection<UInt8>, path: String, schema: ConfigSchema)
    throws(KeyError) -> ConfigFile
  {
    let tables: [TOMLTable]
    do {
      tables = try TOMLParser.parse(bytes)
    } catch {
      let column = error.column.map { " (column \($0))" } ?? ""
      throw KeyError(
        .usage, "\(path):\(error.line): \(error.message)\(column)",
        hint: "keyctl's config is a TOML subset: [table] headers, key = \"string\", numbers, "
          + "true/false and # comments.")
    }
    var validator = Validator(path: path, schema: schema)
    for table in tables { try validator.add(table) }
    return validator.file
  }

  /// Builds a `ConfigFile` table by table, refusing what the schema does not allow.
  private struct Validator {
    let path: String
    let schema: ConfigSchema
    var file: ConfigFile

    init(path: String, schema: ConfigSchema) {
      self.path = path
      self.schema = schema
      self.file = ConfigFile(path: path)
    }

    /// An error at `line` of this file.
    func error(_ line: Int, _ message: String, hint: String? = nil) -> KeyError {
      KeyError(.usage, "\(path):\(line): \(message)", hint: hint)
    }

    /// What the file may hold, for hints.
    var tablesHint: String {
      "Tables: " + schema.providerNames.map { "[\($0)]" }.joined(separator: ", ")
        + ", and [profile.NAME.PROVIDER] with the same keys."
    }

    /// Sorts one table into the file, or refuses it.
    mutating func add(_ table: TOMLTable) throws(KeyError) {
      let path = table.path
      let name = TOMLParser.display(path)
      guard let first = path.first else {
        if let entry = table.entries.first {
          throw error(
            entry.line,
            "'\(entry.key)' is outside any table; put it under a provider table such as "
              + "[\(schema.providerNames.first ?? "fal")]", hint: tablesHint)
        }
        return
      }
      if first == ConfigSchema.profileTable {
        try addProfile(table)
        return
      }
      guard schema.providerNames.contains(first) else {
        let candidates = schema.providerNames + [ConfigSchema.profileTable]
        let suggestion = Suggestion.closest(to: first, in: candidates).map {
          " Did you mean [\(TOMLParser.display([$0] + path.dropFirst()))]?"
        }
        throw error(table.line, "unknown table [\(name)].\(suggestion ?? "")", hint: tablesHint)
      }
      guard path.count == 1 else {
        throw error(
          table.line, "[\(name)]: a provider table has no sub-tables", hint: tablesHint)
      }
      file.providers[first] = try providerTable(table, provider: first)
    }

    /// `[profile]`, `[profile.NAME]` (both only declare) and `[profile.NAME.PROVIDER]`.
    mutating func addProfile(_ table: TOMLTable) throws(KeyError) {
      let path = table.path
      let name = TOMLParser.display(path)
      let profileHint =
        "A profile holds provider tables: [profile.NAME.PROVIDER], e.g. "
        + "[profile.staging.\(schema.providerNames.first ?? "fal")]."
      if path.count >= 2, path[1].isEmpty {
        throw error(table.line, "[\(name)]: a profile name cannot be empty", hint: profileHint)
      }
      if path.count >= 2, file.profiles[path[1]] == nil { file.profiles[path[1]] = [:] }
      guard path.count >= 3 else {
        if let entry = table.entries.first {
          throw error(
            entry.line, "'\(entry.key)' cannot be set directly in [\(name)]", hint: profileHint)
        }
        return
      }
      let provider = path[2]
      guard schema.providerNames.contains(provider) else {
        let suggestion = Suggestion.closest(to: provider, in: schema.providerNames).map {
          " Did you mean [\(TOMLParser.display(Array(path.prefix(2)) + [$0] + path.dropFirst(3)))]?"
        }
        throw error(
          table.line, "unknown provider '\(provider)' in [\(name)].\(suggestion ?? "")",
          hint: "Providers: " + schema.providerNames.joined(separator: ", ") + ".")
      }
      guard path.count == 3 else {
        throw error(table.line, "[\(name)]: a provider table has no sub-tables", hint: profileHint)
      }
      file.profiles[path[1], default: [:]][provider] = try providerTable(table, provider: provider)
    }

    /// The keys of one provider table, each checked for name, type and content.
    func providerTable(_ table: TOMLTable, provider: String) throws(KeyError) -> Table {
      let allowed = schema.allowedKeys(for: provider)
      let name = "[\(TOMLParser.display(table.path))]"
      var result = Table()
      for entry in table.entries {
        guard allowed.contains(entry.key) else {
          throw unknownKey(entry, in: name, provider: provider, allowed: allowed)
        }
        guard case .string(let text) = entry.value else {
          throw error(
            entry.line,
            "\(entry.key) in \(name) must be a string (in quotes), not \(entry.value.typeName)",
            hint: "Write it in quotes: \(entry.key) = \"…\".")
        }
        guard !text.allSatisfy({ $0 == " " || $0 == "\t" }) else {
          throw error(
            entry.line, "\(entry.key) in \(name) is empty",
            hint: "Give it a value, or remove the line.")
        }
        switch entry.key {
        case "credential_env", "credential_file", "credential_command":
          let source = try credentialSource(entry.key, text, line: entry.line, in: name)
          if let earlier = result.credential {
            throw error(
              entry.line,
              "two credential sources in \(name): \(earlier.key) (line \(earlier.line)) and "
                + "\(entry.key); keep one",
              hint: "A table names its credential one way: credential_env, credential_file or "
                + "credential_command.")
          }
          result.credential = ConfigEntry(source, key: entry.key, line: entry.line)
        case "base_url":
          result.baseURL = ConfigEntry(text, key: entry.key, line: entry.line)
        default:
          result.settings[entry.key] = ConfigEntry(text, key: entry.key, line: entry.line)
        }
      }
      return result
    }

    /// A credential source's value, checked for the form its key needs.
    func credentialSource(_ key: String, _ text: String, line: Int, in name: String)
      throws(KeyError) -> CredentialSource
    {
      switch key {
      case "credential_env":
        guard Self.isVariableName(text) else {
          throw error(
            line,
            "credential_env in \(name) must be the name of an environment variable (letters, "
              + "digits and '_'), not its value",
            hint: "For example: credential_env = \"FAL_STAGING_KEY\".")
        }
        return .environment([text])
      case "credential_file":
        guard text.hasPrefix("/") || text.hasPrefix("~/") else {
          throw error(
            line, "credential_file in \(name) must be an absolute path or start with ~/",
            hint: "For example: credential_file = \"~/.secrets/fal\".")
        }
        return .file(text)
      default:
        return .command(text)
      }
    }

    /// The error for a key the table does not accept: a literal secret, another
    /// provider's key, or a misspelling.
    func unknownKey(_ entry: TOMLEntry, in name: String, provider: String, allowed: [String])
      -> KeyError
    {
      if ConfigSchema.looksLikeSecret(entry.key, allowed: allowed) {
        return error(
          entry.line,
          "'\(entry.key)' in \(name) looks like a secret written into the config file; keyctl "
            + "refuses literal secrets there",
          hint: "Remove it and name where the secret is instead: credential_env (a variable "
            + "holding it), credential_file (a file only you can read) or credential_command (a "
            + "command that prints it).")
      }
      let keysHint = "Keys of \(name): " + allowed.joined(separator: ", ") + "."
      if let owner = schema.providerNames.first(where: {
        $0 != provider && schema.extraKeys[$0, default: []].contains(entry.key)
      }) {
        return error(
          entry.line, "'\(entry.key)' is a \(owner) setting; it cannot be set in \(name)",
          hint: keysHint)
      }
      let suggestion = Suggestion.closest(to: entry.key, in: allowed).map {
        " Did you mean '\($0)'?"
      }
      return error(
        entry.line, "unknown key '\(entry.key)' in \(name).\(suggestion ?? "")", hint: keysHint)
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`: what a shell accepts as a variable name.
    static func isVariableName(_ text: String) -> Bool {
      guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else {
        return false
      }
      return text.unicodeScalars.allSatisfy {
        ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0)
          || $0 == "_"
      }
    }
  }
}

import KeyCore

/// `keyctl create`: one key at one provider; its secret goes to stdout only.
enum CreateCommand {
  /// Creates the key, then writes its secret; a secret that cannot be written is exit 10.
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    let globals = try GlobalOptions(invocation, environment: context.environment)
    guard globals.providers.count == 1, let provider = globals.providers.first else {
      throw invocation.usageError(
        globals.providers.isEmpty
          ? "'keyctl create' needs the provider to create the key at: -p NAME (\(Spec.providerNames))"
          : "'keyctl create' takes one provider, got "
            + globals.providers.map(\.rawValue).joined(separator: ", "))
    }
    guard let name = invocation.string("name"), !name.trimmingCharacters(in: .whitespaces).isEmpty
    else {
      throw invocation.usageError("'keyctl create' needs the new key's name: --name TEXT")
    }
    try globals.checkProviderOptions(invocation, selected: [provider])
    guard provider.capabilities.canCreate else {
      throw KeyError(
        .unsupported,
        "\(provider.displayName)'s API has no endpoint to create keys; create them in its dashboard",
        provider: provider, hint: "See 'keyctl providers' for what each provider supports.")
    }
    var request = CreateRequest(name: name)
    request.teamIDs = try invocation.uuids("team-id")
    request.operation = try invocation.choice("operation", ["read_render", "all", "admin"])
    request.creditLimit = try invocation.number("credit-limit", minimum: 0)
    request.limitReset = try invocation.choice("limit-reset", ["daily", "weekly", "monthly"])
    request.includeByokInLimit = invocation.has("include-byok-in-limit") ? true : nil
    request.expiresAt = try invocation.date("expires-at")
    request.workspaceID = try invocation.uuid("workspace-id")

    let registry = ProviderRegistry(
      environment: context.environment, settings: globals.clientSettings(context))
    let adapter = try registry.make(
      provider,
      overrides: ProviderRegistry.Overrides(
        baseURL: globals.baseURL, orgID: try invocation.uuid("org-id")))
    let created = try await adapter.create(request)

    let quiet = invocation.has("quiet")
    do {
      try context.stdout.write(bytes: output(created, quiet: quiet, format: globals.format))
      try context.stdout.flush()
    } catch let failure as OutputFailed {
      throw lostSecret(created, name: name, provider: provider, reason: failure.reason)
    } catch let closed as OutputClosed {
      throw lostSecret(created, name: name, provider: provider, reason: closed.reason)
    }
    KeyNotes.print([created.key], to: context.stderr)
    if !quiet {
      context.stderr.line("keyctl: the secret is shown only once; store it now.")
    }
    return 0
  }

  /// What `create` prints on stdout: the secret alone (`-q`), a table, or JSON.
  private static func output(_ created: CreatedKey, quiet: Bool, format: OutputFormat) -> [UInt8] {
    if quiet { return Array((created.secret + "\n").utf8) }
    if format == .table {
      // Labels padded to one column by hand (Foundation's padding goes through NSString).
      func label(_ text: String) -> String {
        text + String(repeating: " ", count: max(1, 12 - text.count))
      }
      var out = ""
      for field in [KeyField.provider, .id, .name, .scope, .createdAt] {
        out += label(field.rawValue) + field.text(of: created.key) + "\n"
      }
      out += label("secret") + created.secret + "\n"
      return Array(out.utf8)
    }
    var json = JSONText()
    json.raw("{\"key\":")
    KeyField.appendObject(created.key, fields: KeyField.allCases, to: &json)
    json.raw(",\"secret\":")
    json.string(created.secret)
    json.raw("}\n")
    return json.bytes
  }

  /// The error for a key that exists at the provider but whose secret never
  /// reached stdout: exit 10, naming the key and the command that revokes it,
  /// because nobody can use a key whose secret is lost. The secret itself is
  /// never written anywhere else (not to stderr).
  static func lostSecret(
    _ created: CreatedKey, name: String, provider: ProviderID, reason: String
  ) -> KeyError {
    let id = created.key.id
    let revoke =
      ShellWord.isPlain(id)
      ? "keyctl delete -p \(provider.rawValue) \(id)"
      : "keyctl list -p \(provider.rawValue) --name-contains \(ShellWord.quoted(name))"
    return KeyError(
      .output,
      "\(provider.displayName) created key \(id) named \(ShellWord.quoted(name)), but keyctl could "
        + "not write its secret to stdout (\(reason)): the secret is lost",
      provider: provider,
      hint: "Revoke that key with: \(revoke)\nThen create a new one, with stdout going somewhere "
        + "that can take it.")
  }
}

/// Words safe to paste into a shell, for the commands keyctl suggests.
enum ShellWord {
  /// Whether `text` can stand in a command line unquoted: letters, digits and `-_.:@+=/,`.
  static func isPlain(_ text: String) -> Bool {
    !text.isEmpty
      && text.unicodeScalars.allSatisfy { scalar in
        scalar.isASCII
          && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
            || ("0"..."9").contains(scalar) || "-_.:@+=/,".unicodeScalars.contains(scalar))
      }
  }

  /// `text` as one shell word: as is when plain, else in single quotes (a quote
  /// inside becomes `'\''`), with control characters shown as `?` so that the
  /// suggestion cannot move the terminal.
  static func quoted(_ text: String) -> String {
    if isPlain(text) { return text }
    var word = "'"
    for scalar in text.unicodeScalars {
      if scalar == "'" {
        word += "'\\''"
      } else if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
        word += "?"
      } else {
        word.unicodeScalars.append(scalar)
      }
    }
    return word + "'"
  }
}

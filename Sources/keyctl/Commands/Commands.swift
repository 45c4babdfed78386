/// Every command keyctl has, in the order the main help page lists them: the
/// only registry. The parser looks commands and aliases up here, the help
/// pages, the man page and the completions list it, and `Runner`
/// runs what the parser found. Adding a command is one file and one line here.
enum Commands {
  /// The commands, in help order.
  static let all: [any Command.Type] = [
    ListCommand.self,
    GetCommand.self,
    CreateCommand.self,
    UpdateCommand.self,
    DeleteCommand.self,
    RotateCommand.self,
    AuditCommand.self,
    ProvidersCommand.self,
    CompletionCommand.self,
    HelpCommand.self,
  ]
}

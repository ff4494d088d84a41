"""The use cases: actions, context, conversations, answers turned into edits. No LSP types here."""

"""grok-lsp: xAI's Grok in every editor, over the Language Server Protocol."""

__version__ = "0.1.0"

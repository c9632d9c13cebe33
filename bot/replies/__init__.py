"""Turning a diagnosis into what people read: Block Kit, text fallbacks and terminal text, per language."""

"""Placeholder until the demo generator lands (same session)."""

"""Reusable test machinery (pytest plugins)."""

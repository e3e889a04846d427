"""Widgets of the limitwatch TUI."""

"""Screens of the limitwatch TUI."""

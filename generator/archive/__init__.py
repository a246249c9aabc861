"""Offline archives, one per fiscal year."""

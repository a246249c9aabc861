"""Editing: review diffs, new forms and the YAML writer."""

"""Per-year data files: xlsx, CSV, JSON and SQLite."""

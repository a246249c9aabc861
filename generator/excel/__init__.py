"""Excel: per-form workbooks like the printed form, and their import."""

"""Forms: layouts, the model derived from them, loading, values and validation."""

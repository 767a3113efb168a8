"""Pure-Python engine: parsers, matching and detection. Never imports Django."""

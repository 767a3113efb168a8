"""Models of the scams app."""

"""Lá Chắn — cyber-safety operations platform for a provincial Department of Education."""

__version__ = "0.1.0"

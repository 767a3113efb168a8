from .networks import LineType, Network, ParsedPrefix, PrefixError, parse_prefix

__all__ = ["LineType", "Network", "ParsedPrefix", "PrefixError", "parse_prefix"]

from .inventory import (
    Host,
    HostRole,
    InformationSystem,
    MappingMethod,
    SecurityLevel,
    Software,
)
from .networks import LineType, Network, ParsedPrefix, PrefixError, parse_prefix

__all__ = [
    "Host",
    "HostRole",
    "InformationSystem",
    "LineType",
    "MappingMethod",
    "Network",
    "ParsedPrefix",
    "PrefixError",
    "SecurityLevel",
    "Software",
    "parse_prefix",
]

from .botnet import BotnetList, BotnetListRejection, BotnetListRow, MatchMethod
from .vuln import (
    Advisory,
    AdvisorySource,
    AliasKind,
    Exposure,
    ExposureStatus,
    FeedImport,
    RecordStatus,
    SoftwareAlias,
    VulnDuePolicy,
    Vulnerability,
)

__all__ = [
    "Advisory",
    "AdvisorySource",
    "AliasKind",
    "BotnetList",
    "BotnetListRejection",
    "BotnetListRow",
    "Exposure",
    "ExposureStatus",
    "FeedImport",
    "MatchMethod",
    "RecordStatus",
    "SoftwareAlias",
    "VulnDuePolicy",
    "Vulnerability",
]

"""Models of the scams app."""

from .blocklists import BlocklistEntry, BlocklistSource, IndicatorKind, ListFormat, SourceOrigin
from .reports import Channel, ReportStatus, ScamReport, ScamReportImage

__all__ = [
    "BlocklistEntry",
    "BlocklistSource",
    "Channel",
    "IndicatorKind",
    "ListFormat",
    "ReportStatus",
    "ScamReport",
    "ScamReportImage",
    "SourceOrigin",
]

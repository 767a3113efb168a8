from .drills import FROZEN_STATUSES, OPEN_STATUSES, Drill, DrillRecipient, DrillStatus
from .templates import FLAG_PARTS, DrillTemplate

__all__ = [
    "FLAG_PARTS",
    "FROZEN_STATUSES",
    "OPEN_STATUSES",
    "Drill",
    "DrillRecipient",
    "DrillStatus",
    "DrillTemplate",
]

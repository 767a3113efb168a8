from .findings import Finding, Severity, SourceKind
from .policy import DuePolicy
from .tasks import ACTIVE_STATUSES, Task, TaskComment, TaskEvidence, TaskStatus

__all__ = [
    "ACTIVE_STATUSES",
    "DuePolicy",
    "Finding",
    "Severity",
    "SourceKind",
    "Task",
    "TaskComment",
    "TaskEvidence",
    "TaskStatus",
]

from .people import DATA_ROLES, DEPARTMENT_ROLES, ApiToken, Role, RoleAssignment
from .units import Unit, UnitType

__all__ = [
    "DATA_ROLES",
    "DEPARTMENT_ROLES",
    "ApiToken",
    "Role",
    "RoleAssignment",
    "Unit",
    "UnitType",
]

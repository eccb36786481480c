"""Who is acting: the logged-in account every write is checked against and recorded under, its roles, and the
refusal a role check raises. Vocabulary only: the checks themselves live in access/ (above the store)."""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("viewer", "editor", "inspector", "admin")
ROLE_LABELS = {"viewer": "查看", "editor": "填报", "inspector": "督查", "admin": "管理"}


@dataclass(frozen=True)
class Account:
    """A logged-in user: login name, display name, role (one of ROLES) and the canonical names of the departments
    (`name` in data/departments.toml) the account reports for."""
    login: str
    display_name: str
    role: str
    departments: tuple[str, ...] = ()


class PermissionDenied(PermissionError):
    """The account may not do this; the message is a Chinese sentence for the user."""

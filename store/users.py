"""Who is who: the name typed in the sidebar (填报人) and the admin list in data/settings.toml ([users] admins).

A trusted-network convention, not authentication: the name goes into the audit log with every change, and only
listed admins are offered the revert button."""
from __future__ import annotations

from typing import Any

from store import catalogue


def admins(settings: dict[str, Any] | None = None) -> tuple[str, ...]:
    """The admin names from settings.toml ([users] admins)."""
    settings = settings if settings is not None else catalogue.load_settings()
    return tuple(str(n).strip() for n in settings.get("users", {}).get("admins", []))


def is_admin(name: str | None, settings: dict[str, Any] | None = None) -> bool:
    return bool(name and name.strip()) and name.strip() in admins(settings)

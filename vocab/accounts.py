"""Who is acting: the logged-in account every write is checked against and recorded under, its roles, the
refusal a role check raises, and how login and display names are made comparable and safe. Vocabulary only: the
checks themselves live in access/ (above the store)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from vocab.text import clean_text

ROLES = ("viewer", "editor", "inspector", "admin")
ROLE_LABELS = {"viewer": "查看", "editor": "填报", "inspector": "督查", "admin": "管理"}
# after NFKC: letters, digits, CJK and _ . @ - only (no space, control, zero-width or direction character)
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9_.@\-\u4e00-\u9fff]{2,40}$")
NAME_LENGTH = 60  # the user table's login and display name columns


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


def normal_login(name: object) -> str:
    """A login name as stored: NFKC (full-width ＡＢＣ → ABC) without surrounding spaces."""
    return unicodedata.normalize("NFKC", str(name or "")).strip()


def login_key(name: object) -> str:
    """What two login names are compared by: NFKC, then case folded ('Admin', 'ADMIN', 'ａｄｍｉｎ' → 'admin'),
    cut to the column's length (a longer name can never match a stored one)."""
    return normal_login(name).casefold()[:NAME_LENGTH]


def valid_login(name: str) -> bool:
    """Whether a (normal_login) name may be a login: 2–40 letters, digits, CJK or _ . @ -."""
    return bool(LOGIN_PATTERN.match(name))


def clean_name(text: object) -> str:
    """A display name safe for a terminal, a page and a document: control characters (ESC, BEL …) and invisible
    format characters (zero-width, direction overrides) removed, line breaks as spaces, at most NAME_LENGTH."""
    text = clean_text(str(text or ""))
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()[:NAME_LENGTH]

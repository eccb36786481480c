"""Backups while the app runs, checked before they count, and restores: SQLite through its online backup API,
PostgreSQL through pg_dump's custom format and pg_restore."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from store.attachments import count_attachments, count_in_sqlite_file
from store.audit import write_audit
from store.engine import make_engine, session_scope
from store.schema import create_schema

SQLITE_TIMEOUT_S = 30  # how long the copy waits for a writer to finish its transaction


class BackupError(RuntimeError):
    """A backup that could not be made or does not check out, or a restore that was refused."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    check: str  # what the check found: "integrity_check ok" / "pg_restore --list: N entries"
    attachments: int = 0  # 佐证材料 files in the copy (PostgreSQL: in the database when the dump finished)


def backup(url: str | URL, dest: str | Path) -> BackupReport:
    """A consistent copy of the database at `url` in `dest` (written next to it first, moved in place only after
    the check passed, so a failed backup never replaces a good one)."""
    url, dest = make_url(url), Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_path(url), partial)
            check = _sqlite_check(partial)
        elif url.get_backend_name() == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial)], url)
            check = _pg_check(partial)
        else:
            raise BackupError(f"不支持备份 {url.get_backend_name()} 数据库")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, dest)
    return BackupReport(dest, dest.stat().st_size, check, _attachments_in(url, dest))


def _attachments_in(url: URL, copy: Path) -> int:
    if url.get_backend_name() == "sqlite":
        return count_in_sqlite_file(copy)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        return count_attachments(engine)
    finally:
        engine.dispose()


def restore(url: str | URL, src: str | Path, *, who: str) -> str:
    """Replace the database at `url` with the backup `src` (checked first; nothing changes when it fails), bring it
    to the latest schema revision and audit the restore. Returns what the check found."""
    url, src = make_url(url), Path(src)
    if not src.is_file():
        raise BackupError(f"备份文件 {src} 不存在")
    if url.get_backend_name() == "sqlite":
        check = _sqlite_check(src)
        _sqlite_restore(src, _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        check = _pg_check(src)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", str(src)], url,
             database_flag=True)
    else:
        raise BackupError(f"不支持恢复 {url.get_backend_name()} 数据库")
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        create_schema(engine)  # a backup made by an older version is upgraded like any database
        with session_scope(engine) as s:
            write_audit(s, who=who, action="restore", entity="database", key=src.name, old=None,
                        new={"file": str(src), "check": check})
    finally:
        engine.dispose()
    return check


# ------------------------------------------------------------------ SQLite

def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份")
    return Path(url.database)


def _sqlite_copy(src: Path, dest: Path) -> None:
    if not src.is_file():
        raise BackupError(f"数据库文件 {src} 不存在")
    source = sqlite3.connect(src, timeout=SQLITE_TIMEOUT_S)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)  # all pages in one step: one read transaction, a consistent snapshot
    finally:
        target.close()
        source.close()


def _sqlite_check(path: Path) -> str:
    try:
        conn = sqlite3.connect(path)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} 不是可用的 SQLite 数据库：{exc}") from exc
    if result != ["ok"]:
        raise BackupError(f"{path} 未通过完整性检查：{'; '.join(result[:5])}")
    if "alembic_version" not in tables:
        raise BackupError(f"{path} 不是本系统的数据库（没有 alembic_version 表）")
    return "integrity_check ok"


def _sqlite_restore(src: Path, live: Path) -> None:
    """Copy the backup into the live file through the backup API, so that open connections of running app
    processes see the restored data. A live file that is gone or damaged is moved aside (with its -wal/-shm:
    an orphaned WAL must never be replayed into the restored file) and restored fresh."""
    usable = live.is_file()
    if usable:
        try:
            _sqlite_check_readable(live)
        except sqlite3.DatabaseError:
            usable = False
    if not usable:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            part = live.with_name(live.name + suffix)
            if part.exists():
                shutil.move(part, part.with_name(f"{part.name}.damaged-{stamp}"))
    live.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(src)
    target = sqlite3.connect(live, timeout=SQLITE_TIMEOUT_S)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


def _sqlite_check_readable(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()
    if result != "ok":
        raise sqlite3.DatabaseError(result)


# ------------------------------------------------------------------ PostgreSQL

def _pg_env(url: URL) -> dict[str, str]:
    """libpq's variables for the URL (the password in PGPASSWORD, never on a command line)."""
    env = dict(os.environ)
    for var, value in {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username,
                       "PGPASSWORD": url.password, "PGDATABASE": url.database}.items():
        if value is not None:
            env[var] = str(value)
    return env


def _run(cmd: list[str], url: URL, *, database_flag: bool = False) -> str:
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"找不到 {cmd[0]}：请安装 PostgreSQL 客户端（apt-get install postgresql-client）")
    if database_flag:
        cmd = [*cmd[:-1], "--dbname", url.database or "", cmd[-1]]
    done = subprocess.run(cmd, env=_pg_env(url), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} 失败：{done.stderr.strip()[-2000:]}")
    return done.stdout


def _pg_check(path: Path) -> str:
    if shutil.which("pg_restore") is None:
        raise BackupError("找不到 pg_restore：请安装 PostgreSQL 客户端（apt-get install postgresql-client）")
    done = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{path} 不是可用的 pg_dump 备份：{done.stderr.strip()[-2000:]}")
    entries = [line for line in done.stdout.splitlines() if line and not line.startswith(";")]
    if not any("TABLE DATA" in line and " alembic_version " in line for line in entries):
        raise BackupError(f"{path} 不是本系统的数据库备份（没有 alembic_version 表）")
    return f"pg_restore --list: {len(entries)} entries"

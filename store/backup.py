"""Backups while the app runs, checked before they count, and restores that check first and replace last: SQLite
through its online backup API, PostgreSQL through pg_dump's custom format and pg_restore.

Backups hold the accounts' password hashes: every file written here is mode 0600 (owner only), whatever the
umask. A restore checks the file (integrity, our tables at a revision this program knows), upgrades a copy of it
and only then replaces the live database, whose previous state is kept aside as `*.before-restore-<time>`; a
refusal at any step leaves the live database as it was."""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.util.exc import CommandError
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from store import migrations
from store.attachments import count_attachments, count_in_sqlite_file
from store.audit import write_audit
from store.engine import make_engine, session_scope
from store.schema import create_schema

SQLITE_TIMEOUT_S = 30  # how long the copy waits for a writer to finish its transaction
UNCHANGED = "当前数据库未改动。"


class BackupError(RuntimeError):
    """A backup that could not be made or does not check out, or a restore that was refused."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    check: str  # what the check found: "integrity_check ok" / "pg_restore --list: N entries"
    attachments: int = 0  # 佐证材料 files in the copy (PostgreSQL: in the database when the dump finished)


def backup(url: str | URL, dest: str | Path) -> BackupReport:
    """A consistent copy of the database at `url` in `dest`, mode 0600 (written next to it first, moved in place
    only after the check passed, so a failed backup never replaces a good one)."""
    url, dest = make_url(url), Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_path(url), partial)
            check = _sqlite_check(partial, contents=False)[0]
        elif url.get_backend_name() == "postgresql":
            _private_file(partial)
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial)], url)
            check = _pg_check(partial, contents=False)[0]
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
    """Replace the database at `url` with the backup `src`, brought to the latest schema revision, and audit the
    restore. Checked before anything is touched; a refusal (BackupError, a Chinese sentence naming the reason)
    leaves the live database unchanged. Returns what the check found."""
    url, src = make_url(url), Path(src)
    if not src.is_file():
        raise BackupError(f"备份文件 {src} 不存在。{UNCHANGED}")
    if url.get_backend_name() == "sqlite":
        return _sqlite_restore(src, _sqlite_path(url), who=who)
    if url.get_backend_name() == "postgresql":
        return _pg_restore(src, url, who=who)
    raise BackupError(f"不支持恢复 {url.get_backend_name()} 数据库")


def _private_file(path: Path) -> None:
    """An empty file only its owner may read and write (before any data goes in)."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(path, 0o600)  # in case the umask took bits away the mode should not have had anyway


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _check_contents(src: Path, revision: str | None, tables: dict[str, frozenset[str]] | set[str],
                    contents: bool = True) -> None:
    """A backup of ours: a revision this program knows (at or below its latest) and exactly that revision's tables
    (and, where known, columns); BackupError naming the difference otherwise. Without `contents` (a new backup of
    the live database: it must be taken whatever it holds) only the revision's presence is checked."""
    if revision is None:
        raise BackupError(f"{src} 不是本系统的数据库（没有 alembic_version 表或其中没有版本号）")
    if not contents:
        return
    if revision not in migrations.known_revisions():
        latest = "、".join(sorted(migrations.head_revisions()))
        raise BackupError(f"{src} 的结构版本 {revision} 不是本程序认识的版本（本程序最新为 {latest}）：可能由更新的程序"
                          f"版本生成，请用生成它的程序版本恢复")
    expected = migrations.columns_at(revision)
    found = set(tables) - {migrations.VERSION_TABLE}
    problems = [f"缺少表 {t}" for t in sorted(set(expected) - found)]
    problems += [f"多出表 {t}" for t in sorted(found - set(expected))]
    if isinstance(tables, dict):
        for t in sorted(set(expected) & found):
            problems += [f"表 {t} 缺少列 {c}" for c in sorted(expected[t] - tables[t])]
            problems += [f"表 {t} 多出列 {c}" for c in sorted(tables[t] - expected[t])]
    if problems:
        raise BackupError(f"{src} 不是本系统的数据库（按其版本 {revision} 核对：{'；'.join(problems[:8])}）")


def _audit_restore(url: str, src: Path, check: str, who: str) -> None:
    """Bring the database at url to the latest revision and record the restore in its audit log."""
    engine = make_engine(url)
    try:
        create_schema(engine)  # a backup made by an older version is upgraded like any database
        with session_scope(engine) as s:
            write_audit(s, who=who, action="restore", entity="database", key=src.name, old=None,
                        new={"file": str(src), "check": check})
    finally:
        engine.dispose()


# ------------------------------------------------------------------ SQLite

def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份")
    return Path(url.database)


def _sqlite_copy(src: Path, dest: Path) -> None:
    """A consistent copy through the backup API into a new file of mode 0600."""
    if not src.is_file():
        raise BackupError(f"数据库文件 {src} 不存在")
    _private_file(dest)
    source = sqlite3.connect(src, timeout=SQLITE_TIMEOUT_S)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)  # all pages in one step: one read transaction, a consistent snapshot
    finally:
        target.close()
        source.close()


def _sqlite_check(path: Path, contents: bool = True) -> tuple[str, str | None]:
    """integrity_check, then our tables and columns at the file's revision (with `contents`); (what was found,
    the revision)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            tables = {t: frozenset(r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')) for t in names
                      if not t.startswith("sqlite_")}
            revisions = ([r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
                         if migrations.VERSION_TABLE in tables else [])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} 不是可用的 SQLite 数据库：{exc}") from exc
    if result != ["ok"]:
        raise BackupError(f"{path} 未通过完整性检查：{'; '.join(result[:5])}")
    if len(revisions) > 1:
        raise BackupError(f"{path} 有多个结构版本（{'、'.join(revisions)}），不是本系统正常生成的备份")
    revision = revisions[0] if revisions else None
    _check_contents(path, revision, tables, contents)
    return "integrity_check ok", revision


def _sqlite_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]


def _sqlite_restore(src: Path, live: Path, *, who: str) -> str:
    """Check the backup, copy it beside the live file and upgrade the copy; only when that worked, keep the live
    file aside and copy the upgraded backup into it through the backup API (so open connections of running app
    processes see the restored data)."""
    try:
        check, _revision = _sqlite_check(src)
    except BackupError as exc:
        raise BackupError(f"{exc}。{UNCHANGED}") from exc
    staging = live.with_name(live.name + ".restoring")
    for part in _sqlite_files(staging):
        part.unlink(missing_ok=True)
    live.parent.mkdir(parents=True, exist_ok=True)
    try:
        _sqlite_copy(src, staging)
        _audit_restore(f"sqlite:///{staging}", src, check, who)
    except (BackupError, RuntimeError, CommandError, SQLAlchemyError, sqlite3.Error) as exc:
        for part in _sqlite_files(staging):
            part.unlink(missing_ok=True)
        raise BackupError(f"恢复失败：备份 {src} 升级到当前版本时出错：{exc}。{UNCHANGED}") from exc
    try:
        _set_aside(live)
        source = sqlite3.connect(staging)
        target = sqlite3.connect(live, timeout=SQLITE_TIMEOUT_S)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
            source.close()
        os.chmod(live, 0o600)
    finally:
        for part in _sqlite_files(staging):
            part.unlink(missing_ok=True)
    return check


def _set_aside(live: Path) -> None:
    """Keep the live database before it is replaced: a readable one is copied to `*.before-restore-<time>`
    (mode 0600); a damaged one is moved aside with its -wal/-shm as `*.damaged-<time>` (an orphaned WAL must never
    be replayed into the restored file)."""
    if not live.is_file():
        return
    try:
        _sqlite_check_readable(live)
    except sqlite3.DatabaseError:
        stamp = _stamp()
        for part in _sqlite_files(live):
            if part.exists():
                shutil.move(part, part.with_name(f"{part.name}.damaged-{stamp}"))
        return
    _sqlite_copy(live, live.with_name(f"{live.name}.before-restore-{_stamp()}"))


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


def _run(cmd: list[str], url: URL | None, *, database_flag: bool = False) -> str:
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"找不到 {cmd[0]}：请安装 PostgreSQL 客户端（apt-get install postgresql-client）")
    if database_flag and url is not None:
        cmd = [*cmd[:-1], "--dbname", url.database or "", cmd[-1]]
    done = subprocess.run(cmd, env=_pg_env(url) if url is not None else None, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} 失败：{done.stderr.strip()[-2000:]}")
    return done.stdout


_TABLE_ENTRY = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )\S+ (\S+) ")


def _pg_check(path: Path, contents: bool = True) -> tuple[str, str | None]:
    """pg_restore reads the archive's table of contents; our tables at the archive's revision (read from its
    alembic_version data). (What was found, the revision.)"""
    try:
        listing = _run(["pg_restore", "--list", str(path)], None)
    except BackupError as exc:
        raise BackupError(f"{path} 不是可用的 pg_dump 备份：{exc}") from exc
    entries = [line for line in listing.splitlines() if line and not line.startswith(";")]
    tables = {m.group(1) for line in entries if (m := _TABLE_ENTRY.match(line))}
    revision = None
    if migrations.VERSION_TABLE in tables:
        data = _run(["pg_restore", "--data-only", "--table", migrations.VERSION_TABLE, "--file", "-", str(path)],
                    None)
        rows = data.split("FROM stdin;\n", 1)[1].split("\n\\.", 1)[0].split("\n") if "FROM stdin;" in data else []
        revision = rows[0].strip() if len(rows) == 1 and rows[0].strip() else None
    _check_contents(path, revision, tables, contents)
    return f"pg_restore --list: {len(entries)} entries", revision


def _pg_restore(src: Path, url: URL, *, who: str) -> str:
    """Check the archive, keep a pg_dump of the live database aside (next to the backup, 0600), restore in one
    transaction and upgrade; if the upgrade fails, the kept copy is restored again."""
    try:
        check, _revision = _pg_check(src)
    except BackupError as exc:
        raise BackupError(f"{exc}。{UNCHANGED}") from exc
    aside = src.with_name(f"{url.database}.before-restore-{_stamp()}.dump")
    _private_file(aside)
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(aside)], url)
    restore_cmd = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
    try:
        _run([*restore_cmd, str(src)], url, database_flag=True)
    except BackupError as exc:
        raise BackupError(f"恢复失败（pg_restore 在一个事务中执行，已整体回退）：{exc}。{UNCHANGED}") from exc
    try:
        _audit_restore(url.render_as_string(hide_password=False), src, check, who)
    except (RuntimeError, CommandError, SQLAlchemyError) as exc:
        _run([*restore_cmd, str(aside)], url, database_flag=True)
        raise BackupError(f"恢复失败：备份 {src} 升级到当前版本时出错：{exc}。已用恢复前的副本 {aside} 还原，"
                          f"{UNCHANGED}") from exc
    return check

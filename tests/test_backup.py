"""Backup and restore: write, back up, write more, damage or delete the database, restore, and find exactly the
data of the backup (db.dump), on SQLite and on PostgreSQL; a backup taken during writes is consistent."""
from __future__ import annotations

import os
import sqlite3
import threading

import pytest

import cli
import db


def _save(engine, value: float, year: int = 2020, who: str = "甲") -> None:
    db.save_observations(engine, [{"region": "长垣市", "indicator": "hte_count", "year": year, "quarter": 0,
                                   "value": value, "source": "科工信局统计", "is_sample": False}], who=who)


def _without_restore_row(dump: str) -> str:
    """The dump without the audit row the restore itself adds, and without the data-version counter it bumps."""
    lines, skip = [], False
    for line in dump.splitlines():
        if line.startswith("-- "):
            skip = line == "-- data_version"
        if not skip and '"restore", "database"' not in line:
            lines.append(line)
    return "\n".join(lines)


def _damage(path, how: str) -> None:
    if how == "deleted":
        path.unlink()
    else:  # garbage over the header and the first pages
        with open(path, "r+b") as fh:
            fh.write(b"\x5a" * 16384)


@pytest.mark.parametrize("how", ["deleted", "overwritten"])
def test_sqlite_backup_restore_round_trip(db_path, tmp_path, monkeypatch, capsys, how):
    url = f"sqlite:///{db_path}"
    monkeypatch.setenv("DATABASE_URL", url)
    eng = db.make_engine(url)
    _save(eng, 101)
    backed_up = _without_restore_row(db.dump(eng))
    backup_file = tmp_path / "backups" / "tracker-1.sqlite"
    assert cli.main(["backup", str(backup_file)]) == 0
    assert "integrity_check ok" in capsys.readouterr().out
    _save(eng, 102, who="乙")
    _save(eng, 55, year=2019, who="乙")
    assert db.dump(eng) != backed_up
    eng.dispose()
    _damage(db_path, how)

    assert cli.main(["restore", str(backup_file)]) == 1
    assert "--yes" in capsys.readouterr().err
    assert cli.main(["restore", str(backup_file), "--yes", "--who", "管理员"]) == 0

    eng = db.make_engine(url)
    try:
        assert _without_restore_row(db.dump(eng)) == backed_up
        audit = db.read_audit(eng)
        assert (audit.iloc[0]["action"], audit.iloc[0]["who"]) == ("restore", "管理员")
        with eng.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        eng.dispose()
    assert (how == "overwritten") == any(p.name.startswith("tracker.sqlite.damaged-") for p in db_path.parent.iterdir())


def test_restore_into_a_running_app_is_seen_by_its_open_engine(db_path, tmp_path):
    url = f"sqlite:///{db_path}"
    app = db.make_engine(url)  # the app's engine, with a pooled connection open through the restore
    _save(app, 101)
    db.backup(url, tmp_path / "b.sqlite")
    _save(app, 102)
    db.restore(url, tmp_path / "b.sqlite", who="管理员")
    try:
        assert db.read_observations(app, ["长垣市"], ["hte_count"]).set_index("year").loc[2020, "value"] == 101
    finally:
        app.dispose()


def test_a_damaged_backup_is_refused_and_the_database_unchanged(engine, db_path, tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    before = db.dump(engine)
    with pytest.raises(db.BackupError, match="bad.sqlite"):
        db.restore(f"sqlite:///{db_path}", bad, who="管理员")
    assert db.dump(engine) == before


def test_a_backup_taken_during_writes_is_consistent(engine, db_path, tmp_path):
    """A writer keeps updating five values while the copy is taken: in the copy each value's version equals the
    number of its audit rows (value and audit row share one transaction), so the copy is one moment of the store."""
    years = range(2010, 2015)
    assert db.read_observations(engine, ["长垣市"], ["hte_count"])["year"].isin(years).sum() == 0
    started, stop = threading.Event(), threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            _save(engine, i, year=years[i % len(years)], who="写入线程")
            started.set()
            i += 1
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert started.wait(timeout=30)
        report = db.backup(f"sqlite:///{db_path}", tmp_path / "during.sqlite")
    finally:
        stop.set()
        thread.join()
    copy = db.make_engine(f"sqlite:///{report.path}")
    try:
        versions = db.read_observations(copy, ["长垣市"], ["hte_count"]).set_index("year")["version"]
        audit = db.read_audit(copy, entity="observation", who="写入线程")
        counts = audit["entity_key"].str.rsplit("/", n=1).str[-1].astype(int).value_counts()
        assert len(counts) >= 1
        assert {y: int(versions[y]) for y in counts.index} == {y: int(n) for y, n in counts.items()}
        assert report.check == "integrity_check ok"
    finally:
        copy.dispose()


def test_postgres_backup_restore_round_trip(pg_empty_url, tmp_path):
    eng = db.make_engine(pg_empty_url)
    try:
        db.init_db(eng)
        _save(eng, 101)
        backed_up = _without_restore_row(db.dump(eng))
        report = db.backup(pg_empty_url, tmp_path / "tracker.dump")
        assert report.check.startswith("pg_restore --list")
        _save(eng, 102, who="乙")
        with eng.begin() as conn:  # damage: a table gone
            conn.exec_driver_sql("DROP TABLE observation")
        db.restore(pg_empty_url, report.path, who="管理员")
        assert _without_restore_row(db.dump(eng)) == backed_up
        assert db.read_audit(eng).iloc[0]["action"] == "restore"
    finally:
        eng.dispose()


# ------------------------------------------------------------------ refused restores leave everything as it was

def _files(path) -> dict[str, bytes]:
    """The live database's files, byte for byte (main file and write-ahead log)."""
    return {p.name: p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name)
            and not p.name.endswith("-shm")}


def _foreign(path) -> None:
    """A SQLite file with an alembic_version table but not our tables."""
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY);"
                       "INSERT INTO alembic_version VALUES ('0003');"
                       "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);"
                       "CREATE TABLE observation (id INTEGER PRIMARY KEY);")
    conn.close()


def _at_revision(path, revision: str) -> None:
    """Our own backup, marked as made at another revision (e.g. by a newer version of the program)."""
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.commit()
    conn.close()


def _twin_logins_at_0003(path) -> None:
    """A backup of an older version holding two logins that differ only in case: it cannot be upgraded."""
    eng = db.make_engine(f"sqlite:///{path}")
    db.upgrade_schema(eng, "0003")
    with eng.begin() as conn:
        for login in ("admin", "Admin"):
            conn.exec_driver_sql(
                "INSERT INTO user (login, display_name, role, departments, password_hash, active, created_at, "
                "failed_count) VALUES (?, ?, 'admin', '[]', 'x', 1, '2020-01-01 00:00:00', 0)", (login, login))
    eng.dispose()


@pytest.mark.parametrize("make, message", [
    (_foreign, "不是本系统的数据库"),
    (lambda p: _at_revision(p, "9999"), "9999"),
    (lambda p: _at_revision(p, "0099_future"), "更新的程序"),
    (_twin_logins_at_0003, "只差大小写"),
], ids=["foreign tables", "unknown revision", "newer revision", "cannot upgrade"])
def test_a_refused_restore_leaves_the_live_database_byte_for_byte(engine, db_path, tmp_path, capsys, monkeypatch,
                                                                  make, message):
    source = tmp_path / "source" / "backup.sqlite"
    source.parent.mkdir()
    if make in (_foreign, _twin_logins_at_0003):
        make(source)
    else:
        db.backup(f"sqlite:///{db_path}", source)
        make(source)
    _save(engine, 101)
    engine.dispose()
    before = _files(db_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    assert cli.main(["restore", str(source), "--yes"]) == 1
    err = capsys.readouterr().err
    assert message in err and "未改动" in err and "Traceback" not in err
    assert _files(db_path) == before  # nothing written, and no file left beside it (copy, aside, damaged)
    assert {p.name for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)} - {"tracker.sqlite-shm"} \
        == set(before)
    assert cli.main(["status", "--as-of", "2020"]) == 0  # and every later command still works


def test_a_restore_keeps_the_replaced_database_aside(engine, db_path, tmp_path):
    url = f"sqlite:///{db_path}"
    db.backup(url, tmp_path / "b.sqlite")
    _save(engine, 103)
    db.restore(url, tmp_path / "b.sqlite", who="管理员")
    (aside,) = [p for p in db_path.parent.iterdir() if ".before-restore-" in p.name]
    kept = db.make_engine(f"sqlite:///{aside}")
    try:
        assert db.read_observations(kept, ["长垣市"], ["hte_count"]).set_index("year").loc[2020, "value"] == 103
    finally:
        kept.dispose()
    assert aside.stat().st_mode & 0o777 == 0o600


def test_backups_are_readable_by_their_owner_only(engine, db_path, tmp_path):
    """A backup holds the accounts' password hashes: mode 0600 whatever the umask."""
    old = os.umask(0o022)
    try:
        report = db.backup(f"sqlite:///{db_path}", tmp_path / "nightly" / "tracker.sqlite")
    finally:
        os.umask(old)
    assert report.path.stat().st_mode & 0o777 == 0o600


def test_a_postgres_restore_of_a_foreign_dump_is_refused(pg_empty_url, tmp_path):
    eng = db.make_engine(pg_empty_url)
    try:
        db.create_schema(eng)
        _save_plain = db.dump(eng)
        with eng.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE stranger (id integer)")
        report = db.backup(pg_empty_url, tmp_path / "other.dump")
        assert report.path.stat().st_mode & 0o777 == 0o600
        with eng.begin() as conn:
            conn.exec_driver_sql("DROP TABLE stranger")
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0002'")
        with pytest.raises(db.BackupError, match="多出表 stranger"):
            db.restore(pg_empty_url, report.path, who="管理员")
        with eng.begin() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0002"
            conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{next(iter(db.head_revisions()))}'")
        assert db.dump(eng) == _save_plain
    finally:
        eng.dispose()

"""Backup and restore: write, back up, write more, damage or delete the database, restore, and find exactly the
data of the backup (db.dump), on SQLite and on PostgreSQL; a backup taken during writes is consistent."""
from __future__ import annotations

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

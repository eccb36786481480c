"""Hostile and oversized files: refused quickly with a clear Chinese message, nothing written."""
from __future__ import annotations

import io
import re
import time
import tomllib
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

import db
from dataio import limits
from dataio.importer import import_workbook
from tests.accounts import admin
from tests.test_dataio_import import GOOD, refused, run_cli
from tests.xlsx import LONG_HEADER, to_bytes

ROOT = Path(__file__).resolve().parent.parent
TOO_BIG = "，超过可导入的上限（50000 行 × 64 列）：请删除数据区域以外的行和列（或把数据复制到新的工作表）后另存再上传"


def sparse_bomb(rows: int = 6000) -> bytes:
    """A small .xlsx whose rows each hold one cell in column XFD (16,384): openpyxl pads every row to that column."""
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(list(LONG_HEADER))
    for r in range(2, rows + 1):
        ws.cell(row=r, column=16384, value="x")
    return to_bytes(wb)


def with_dimension(data: bytes, ref: str | None) -> bytes:
    """The same workbook with the sheet's <dimension ref> replaced (None: removed), as a hand-made file may lie."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = body.decode()
                text = re.sub(r'<dimension ref="[^"]*"\s*/>', "" if ref is None else f'<dimension ref="{ref}"/>', text)
                body = text.encode()
            z.writestr(info, body)
    return out.getvalue()


def without_references(data: bytes) -> bytes:
    """The same workbook with no <dimension> and no r="…" on rows and cells (positions implied, as the format
    allows): only the bounded read can tell the real size then."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = re.sub(r'<dimension ref="[^"]*"\s*/>', "", body.decode())
                body = re.sub(r'(<(?:row|c)\b[^>]*?) r="[A-Z]*\d+"', r"\1", text).encode()
            z.writestr(info, body)
    return out.getvalue()


def timed_refusal(engine, data: bytes) -> tuple[list, float]:
    """Problems and the seconds import_workbook took to refuse; the store must be unchanged."""
    before = db.dump(engine)
    start = time.perf_counter()
    result = import_workbook(engine, data, account=admin("张三"))
    seconds = time.perf_counter() - start
    assert not result.ok and result.written is None
    assert db.dump(engine) == before
    return result.problems, seconds


def test_sparse_bomb_is_refused_within_a_second(engine):
    # A functional bound, not a benchmark: before the fix this file took ~9 s and +200 MiB to check.
    problems, seconds = timed_refusal(engine, sparse_bomb())
    assert seconds < 1.0
    assert [(p.sheet, p.message) for p in problems] == [(
        "数据", "使用范围为 A1:XFD6000（6000 行 × 16384 列）" + TOO_BIG)]


@pytest.mark.parametrize("ref", [None, "A1:E1"])
def test_sparse_bomb_with_a_lying_or_missing_dimension_is_refused_by_its_real_size(engine, ref):
    # Functional bound again: the real size comes from a scan of the cell references, not from padded rows.
    problems, seconds = timed_refusal(engine, with_dimension(sparse_bomb(), ref))
    assert seconds < 1.0
    assert [p.message for p in problems] == [
        "使用范围为 A1:XFD6000（6000 行 × 16384 列）" + TOO_BIG]


def test_data_beyond_the_column_limit_is_refused(engine):
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(list(LONG_HEADER))
    ws.append([*GOOD, *["多出来的"] * (limits.MAX_COLUMNS + 1 - len(GOOD))])
    assert [(p.sheet, p.row, p.message) for p in refused(engine, to_bytes(wb))] == [(
        "数据", None, "使用范围为 A1:BM2（2 行 × 65 列）" + TOO_BIG)]
    problems = refused(engine, without_references(to_bytes(wb)))
    assert [(p.sheet, p.row, p.message) for p in problems] == [(
        "数据", 2, f"第 2 行超过 {limits.MAX_COLUMNS} 列" + TOO_BIG)]


def test_too_many_rows_is_refused(engine, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    for row in [LONG_HEADER, *[GOOD] * 6]:
        ws.append(list(row))
    assert [p.message for p in refused(engine, to_bytes(wb))] == [
        "使用范围为 A1:E7（7 行 × 5 列），超过可导入的上限（5 行 × 64 列）：请删除数据区域以外的行和列（或把数据复制到新的工作表）后另存再上传"]
    problems = refused(engine, without_references(to_bytes(wb)))
    assert [p.message for p in problems] == [
        "超过 5 行，超过可导入的上限（5 行 × 64 列）：请删除数据区域以外的行和列（或把数据复制到新的工作表）后另存再上传"]


def test_zip_bomb_is_refused_by_its_unpacked_size(engine, monkeypatch):
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 10_000)
    wb = Workbook()
    wb.active.append(["x" * 40_000])
    data = to_bytes(wb)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert [p.message for p in refused(engine, data)] == [
        f"工作簿解压后有 {round(unpacked / 1024)} KB，超过上限 10 KB：请只保留需要导入的数据后另存再上传"]


def test_upload_limit_is_one_number_shared_with_streamlit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB


def test_file_over_the_upload_limit_is_refused_before_reading(engine, monkeypatch):
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 1000)
    monkeypatch.setattr(limits, "MAX_UPLOAD_MB", 0.001)
    problems = refused(engine, b"PK\x03\x04" + bytes(2000))
    assert [p.message for p in problems] == ["文件有 2 KB，超过上限 0.001 MB：请只保留需要导入的数据（或分成几个文件）后再上传"]


def test_cli_refuses_a_file_over_the_upload_limit(db_path, tmp_path):
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as fh:
        fh.truncate(limits.MAX_UPLOAD_BYTES + 1)  # sparse on disk: nothing is really written
    eng = db.make_engine(f"sqlite:///{db_path}")
    before = db.dump(eng)
    out = run_cli("import", str(path), "--dry-run", db_path=db_path)
    assert out.returncode == 2
    assert f"文件有 20.0 MB，超过上限 {limits.MAX_UPLOAD_MB} MB" in out.stderr
    assert db.dump(eng) == before


def test_the_upload_limit_applies_to_paths_without_reading_them(engine, tmp_path):
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as fh:
        fh.truncate(limits.MAX_UPLOAD_BYTES + 1)
    result = import_workbook(engine, path, account=admin("张三"), dry_run=True)
    assert not result.ok and "超过上限" in result.problems[0].message

"""佐证材料: files recognised by their bytes and hostile ones refused (nothing stored), the roles that may attach,
download and delete, the audit rows, a milestone reported done with its files, an extension request with files."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

import db
from access import evidence
from dataio.evidence import EvidenceRefused, Limits, check_file, check_files, safe_name
from store import attachments
from tests import evidence_files as ef
from tests.accounts import admin, editor, store_account, viewer
from vocab.accounts import Account, PermissionDenied

POLICY = "CY2019-20"
CLAUSE = "二（一）1"            # led by 科工信局
OPEN_MILESTONE = 3             # 二（一）1 完成2020年上半年工作计划, 科工信局, in progress
KEJI = editor("科工信局", login="keji")
OTHER = editor("财政局", login="caizheng")
INSPECTOR = Account("ducha", "督查室", "inspector")


# ------------------------------------------------------------------ the bytes decide

@pytest.mark.parametrize("name, make, kind, stored", [
    ("批复.pdf", ef.pdf, "pdf", "批复.pdf"),
    ("现场照片.jpeg", ef.jpeg, "jpeg", "现场照片.jpg"),
    ("证书.png", ef.png, "png", "证书.png"),
    ("总结报告.docx", ef.docx, "docx", "总结报告.docx"),
    ("项目清单.xlsx", ef.xlsx, "xlsx", "项目清单.xlsx"),
    ("扫描件.png", ef.pdf, "pdf", "扫描件.pdf"),        # a PDF is a PDF whatever its name says
    ("无扩展名", ef.jpeg, "jpeg", "无扩展名.jpg"),
])
def test_accepted_files_are_known_by_their_bytes(name, make, kind, stored):
    f = check_file(name, make())
    assert (f.kind, f.name, f.size) == (kind, stored, len(make()))
    assert f.mime == {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png",
                      "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                      "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[kind]


@pytest.mark.parametrize("case", sorted(ef.HOSTILE))
def test_hostile_files_are_refused_with_a_chinese_sentence(case):
    name, data, word = ef.hostile(case)
    with pytest.raises(EvidenceRefused) as err:
        check_file(name, data)
    assert f"文件“{name}”" in str(err.value) and word in str(err.value) and "未保存任何材料" in str(err.value)


@pytest.mark.parametrize("data, word", [
    (b"", "空文件"),
    (b"GIF89a" + b"\x00" * 20, "GIF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "旧版 Office"),
    (ef.jpeg()[:300], "不是完整可用的图片"),
    (b"PK\x03\x04" + b"\x00" * 40, "损坏的压缩文件"),
    (b"hello, this is plain text", "不是可识别的文件类型"),
])
def test_other_files_are_refused_by_what_they_are(data, word):
    with pytest.raises(EvidenceRefused, match=word):
        check_file("材料.pdf", data)


def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded():
    with pytest.raises(EvidenceRefused, match="像素"):
        check_file("大图.png", ef.png(), Limits(max_pixels=320 * 200 - 1))


def test_every_refused_file_is_named_and_the_count_is_bounded():
    with pytest.raises(EvidenceRefused) as err:
        check_files([("a.pdf", ef.ELF), ("b.pdf", ef.pdf()), ("c.png", ef.SVG_WITH_SCRIPT)])
    assert "文件“a.pdf”" in str(err.value) and "文件“c.png”" in str(err.value) and "b.pdf" not in str(err.value)
    with pytest.raises(EvidenceRefused, match="最多上传 2 个"):
        check_files([("a.pdf", ef.pdf())] * 3, Limits(max_files=2))


@pytest.mark.parametrize("given, kind, expected", [
    ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
    ("C:\\Users\\科员\\桌面\\报告.docx", "docx", "报告.docx"),
    ('a<b>:"c|d?*.png', "png", "a_b___c_d__.png"),
    ("名\x00称\r\n.pdf", "pdf", "名称.pdf"),
    ("...", "pdf", "佐证材料.pdf"),
    ("长" * 300 + ".pdf", "pdf", "长" * 96 + ".pdf"),
])
def test_stored_names_are_safe(given, kind, expected):
    assert safe_name(given, kind) == expected


# ------------------------------------------------------------------ nothing stored when a file is refused

def _report(engine, who, files):
    return evidence.add_progress_as(engine, who, POLICY, CLAUSE, status="in_progress", progress="已完成立项",
                                    evidence="见附件", reported_on=date(2020, 6, 1), files=files)


@pytest.mark.parametrize("case", sorted(ef.HOSTILE))
def test_a_hostile_file_refuses_the_whole_report(engine, case):
    name, data, word = ef.hostile(case)
    before = db.dump(engine)
    with pytest.raises(EvidenceRefused, match=word):
        _report(engine, KEJI, [("通知.pdf", ef.pdf()), (name, data)])
    assert db.dump(engine) == before


def test_a_hostile_file_refuses_a_done_report_and_an_extension_request(engine):
    before = db.dump(engine)
    with pytest.raises(EvidenceRefused):
        evidence.report_done_as(engine, KEJI, OPEN_MILESTONE, completed_on=date(2020, 6, 20), evidence="已完成",
                                files=[("证书.png", ef.SVG_WITH_SCRIPT)])
    with pytest.raises(EvidenceRefused):
        evidence.request_extension_as(engine, KEJI, OPEN_MILESTONE, reason="资金未到位", new_date=date(2020, 9, 30),
                                      seen_due_date=date(2020, 6, 30), files=[("说明.pdf", ef.truncated_pdf())])
    assert db.dump(engine) == before


def test_a_report_with_files_stores_them_with_audit_rows(engine):
    pid = _report(engine, KEJI, [("立项批复.pdf", ef.pdf()), ("现场.jpg", ef.jpeg())])
    rows = db.read_attachments(engine)
    assert list(rows["file_name"]) == ["立项批复.pdf", "现场.jpg"]
    assert set(rows["owner_kind"]) == {"task_progress"} and set(rows["owner_id"]) == {pid}
    assert list(rows["uploaded_by"]) == ["keji", "keji"] and list(rows["size"]) == [len(ef.pdf()), len(ef.jpeg())]
    assert db.attachment_file(engine, int(rows["attachment_id"].iloc[0])) == ("立项批复.pdf", "application/pdf",
                                                                            ef.pdf())
    audit = db.read_audit(engine, entity="attachment")
    assert sorted(audit["entity_key"]) == sorted(f"{POLICY}/{CLAUSE}/{pid}/佐证材料{i}" for i in rows["attachment_id"])
    assert {a["sha256"] for a in audit["new"]} == set(rows["sha256"])
    assert db.count_attachments(engine) == 2


# ------------------------------------------------------------------ who may attach, download, delete

@pytest.mark.parametrize("who, allowed", [(KEJI, True), (INSPECTOR, True), (admin(), True), (OTHER, False),
                                          (viewer(), False), (None, False)])
def test_who_may_attach_to_a_progress_report(engine, who, allowed):
    before = db.dump(engine)
    if allowed:
        _report(engine, who, [("批复.pdf", ef.pdf())])
        assert db.count_attachments(engine) == 1
    else:
        with pytest.raises(PermissionDenied):
            _report(engine, who, [("批复.pdf", ef.pdf())])
        assert db.dump(engine) == before


@pytest.mark.parametrize("who, allowed", [(KEJI, True), (INSPECTOR, True), (OTHER, False), (viewer(), False)])
def test_who_may_add_files_to_a_milestone(engine, who, allowed):
    before = db.dump(engine)
    if allowed:
        assert len(evidence.attach_as(engine, who, "milestone", OPEN_MILESTONE, [("表.xlsx", ef.xlsx())])) == 1
    else:
        with pytest.raises(PermissionDenied):
            evidence.attach_as(engine, who, "milestone", OPEN_MILESTONE, [("表.xlsx", ef.xlsx())])
        assert db.dump(engine) == before


def test_download_needs_an_active_login_when_the_bytes_are_served(engine):
    store_account(engine, viewer("leader"))
    _report(engine, KEJI, [("批复.pdf", ef.pdf())])
    aid = int(db.read_attachments(engine)["attachment_id"].iloc[0])
    assert evidence.download_as(engine, viewer("leader"), aid)[2] == ef.pdf()
    with pytest.raises(PermissionDenied, match="请先登录"):
        evidence.download_as(engine, None, aid)
    with pytest.raises(PermissionDenied, match="请先登录"):  # an account value without an active stored account
        evidence.download_as(engine, viewer("ghost"), aid)
    db.update_user(engine, "leader", who="测试", active=False)
    with pytest.raises(PermissionDenied, match="请先登录"):
        evidence.download_as(engine, viewer("leader"), aid)


def test_the_uploader_deletes_while_the_item_is_open_then_only_an_admin(engine):
    evidence.attach_as(engine, KEJI, "milestone", OPEN_MILESTONE, [("a.pdf", ef.pdf()), ("b.png", ef.png())])
    first, second = (int(i) for i in db.read_attachments(engine)["attachment_id"])
    with pytest.raises(PermissionDenied, match="他人上传"):
        evidence.delete_as(engine, INSPECTOR, first)
    evidence.delete_as(engine, KEJI, first, reason="传错了文件")
    evidence.report_done_as(engine, KEJI, OPEN_MILESTONE, completed_on=date(2020, 6, 28), evidence="已完成")
    before = db.dump(engine)
    with pytest.raises(PermissionDenied, match="已办结"):
        evidence.delete_as(engine, KEJI, second)
    assert db.dump(engine) == before
    evidence.delete_as(engine, admin(), second, reason="重复材料")
    assert db.count_attachments(engine) == 0
    deleted = db.read_audit(engine, entity="attachment").query("action == 'delete'")
    assert list(deleted["who"]) == ["张三", "keji"] and list(deleted["reason"]) == ["重复材料", "传错了文件"]
    assert deleted["old"].iloc[1]["file_name"] == "a.pdf"


# ------------------------------------------------------------------ a milestone reported done

def test_an_editor_reports_its_milestone_done_with_files(engine):
    version = int(db.read_milestones(engine).set_index("milestone_id").loc[OPEN_MILESTONE, "version"])
    evidence.report_done_as(engine, KEJI, OPEN_MILESTONE, completed_on=date(2020, 6, 28),
                            evidence="上半年计划已完成，总结报告已印发（长科〔2020〕8号）",
                            files=[("总结报告.docx", ef.docx())], expected_version=version)
    m = db.read_milestones(engine).set_index("milestone_id").loc[OPEN_MILESTONE]
    assert (m["status"], str(m["completed_on"]), int(m["version"])) == ("done", "2020-06-28", version + 1)
    assert "长科〔2020〕8号" in m["evidence"]
    files = db.read_attachments(engine)
    assert list(zip(files["owner_kind"], files["owner_id"], files["file_name"])) == [
        ("milestone", OPEN_MILESTONE, "总结报告.docx")]
    audit = db.read_audit(engine, entity="milestone").iloc[0]
    assert (audit["who"], audit["reason"], audit["new"]["status"]) == ("keji", "报送办结", "done")


@pytest.mark.parametrize("who, when, text, version, error, match", [
    (OTHER, date(2020, 6, 28), "已完成", None, PermissionDenied, "本单位"),
    (viewer(), date(2020, 6, 28), "已完成", None, PermissionDenied, "无权"),
    (None, date(2020, 6, 28), "已完成", None, PermissionDenied, "请先登录"),
    (KEJI, date(2018, 12, 31), "已完成", None, ValueError, "完成日期 2018-12-31 超出范围"),
    (KEJI, date.today() + timedelta(days=1), "已完成", None, ValueError, "超出范围"),
    (KEJI, date(2020, 6, 28), "  ", None, ValueError, "请填写办结情况"),
    (KEJI, date(2020, 6, 28), "已完成", 99, db.ConcurrentEditError, "已被他人修改"),
])
def test_a_done_report_is_refused_with_nothing_written(engine, who, when, text, version, error, match):
    before = db.dump(engine)
    with pytest.raises(error, match=match):
        evidence.report_done_as(engine, who, OPEN_MILESTONE, completed_on=when, evidence=text,
                                files=[("a.pdf", ef.pdf())], expected_version=version)
    assert db.dump(engine) == before


def test_a_done_milestone_is_not_reported_again(engine):
    evidence.report_done_as(engine, KEJI, OPEN_MILESTONE, completed_on=date(2020, 6, 28), evidence="已完成")
    before = db.dump(engine)
    with pytest.raises(ValueError, match="已经办结"):
        evidence.report_done_as(engine, KEJI, OPEN_MILESTONE, completed_on=date(2020, 6, 29), evidence="再报")
    assert db.dump(engine) == before


def test_an_extension_request_carries_its_files(engine):
    rid = evidence.request_extension_as(engine, KEJI, OPEN_MILESTONE, reason="上级批复未下达", new_date=date(2020, 8, 31),
                                        seen_due_date=date(2020, 6, 30), files=[("函件.pdf", ef.pdf())])
    files = db.read_attachments(engine)
    assert list(zip(files["owner_kind"], files["owner_id"])) == [("extension_request", rid)]
    key = db.read_audit(engine, entity="attachment")["entity_key"].iloc[0]
    assert key == f"{POLICY}/{CLAUSE}/完成2020年上半年工作计划/延期申请{rid}/佐证材料{files['attachment_id'].iloc[0]}"


def test_an_unknown_owner_is_refused(engine):
    with pytest.raises(attachments.AttachmentError, match="不存在"):
        evidence.attach_as(engine, admin(), "milestone", 99999, [("a.pdf", ef.pdf())])


def test_backup_and_restore_count_the_files_and_bring_their_bytes_back(engine, db_path, tmp_path):
    from tests.helpers import run_cli
    _report(engine, KEJI, [("立项批复.pdf", ef.pdf()), ("现场.jpg", ef.jpeg())])
    first = int(db.read_attachments(engine)["attachment_id"].iloc[0])
    done = run_cli("backup", str(tmp_path / "b.sqlite"), db_path=db_path)
    assert done.returncode == 0 and "佐证材料 2 件" in done.stdout
    evidence.delete_as(engine, admin(), first, reason="误删")
    assert db.count_attachments(engine) == 1
    engine.dispose()
    done = run_cli("restore", str(tmp_path / "b.sqlite"), "--yes", db_path=db_path)
    assert done.returncode == 0 and "佐证材料 2 件" in done.stdout
    assert db.attachment_file(engine, first) == ("立项批复.pdf", "application/pdf", ef.pdf())

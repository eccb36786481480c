"""status, scorecard, deck, bulletin, snapshot, snapshots: what the leading group reads."""
from __future__ import annotations

import argparse
from datetime import date

import pandas as pd

import db
from access import guard
from commands.base import command, emit, format_arg, policy_and_region, ready_engine
from store import catalogue
from views import policy as views_policy
from views.target_words import words_frame
from vocab import labels
from vocab.periods import as_of_year, parse_as_of


def _status_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", required=True, help="截至期：年份（2020）、季度（2020Q2）或日期（2020-09-30）")
    p.add_argument("--region", default=None, help="地区（默认政策所属地区）")
    p.add_argument("--as-known-on", default=None,
                   help="按该日已发布（未注明发布日期的按已录入）的数据版本计算，如 2021-01-15：过去某次会议当时所知")
    format_arg(p)


def status_frame(eng, as_of: str, region: str | None = None, policy: str | None = None,
                 known_on: str | None = None) -> pd.DataFrame:
    """views_policy.policy_status on the store's frames, as of '2020', '2020Q2' or a day (its latest complete period), for one region (default: the
    policy's); every policy when none is named. known_on ('2021-01-15', or a year = its 31 December): the values'
    vintages known on that day instead of the current ones."""
    point = parse_as_of(as_of)
    year, quarter = point.year, point.quarter
    frames = views_policy.load_frames(eng, known_on=parse_as_of(known_on).day if known_on else None)
    policies = [policy] if policy else list(frames["policies"]["code"])
    parts = []
    for code in policies:
        code, name = policy_and_region(frames, code, region)
        parts.append(views_policy.policy_status(frames, catalogue.load_settings(), code, name, year, quarter))
    return pd.concat(parts, ignore_index=True)


@command("status", "按截至期列出每个目标的实际值、目标、期限、进度比和状态（到期目标为判定结论）", _status_args)
def cmd_status(args: argparse.Namespace) -> int:
    s = status_frame(ready_engine(), args.as_of, args.region, args.policy, known_on=args.as_known_on)
    w = words_frame(s)
    out = pd.DataFrame({
        "code": s["code"], "indicator": s["indicator_name"], "unit": s["unit"],
        "actual": s["actual"].round(4), "actual_year": s["actual_year"], "value": w["value"],
        "target": w["target"], "due_year": s["due_year"].astype("Int64"), "baseline": s["baseline"].round(4),
        "attainment": s["attainment"].round(4), "expected": s["expected"].round(4),
        "required_pace": s["required_annual_increase"].round(4), "ratio": s["ratio"].round(4),
        "status": w["verdict"], "gap": w["gap_phrase"], "note": w["later"], "forecast": s["forecast"].round(4),
        "forecast_reaches": s["forecast_reaches"],
        "sample": s["is_sample"].map({True: labels.SAMPLE_MARK, False: ""}),
    })
    if args.region:
        out.insert(0, "region", s["region"])
    emit(out, args.format, sample=bool(s["is_sample"].any()))
    return 0


def _scorecard_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", required=True, help="截至期：年份（2020，即当年12月31日）或日期（2020-06-30）")
    format_arg(p)


@command("scorecard", "单位考核：每个单位的得分及其构成（目标分、任务分、扣分及原因）、排名和通报分组", _scorecard_args)
def cmd_scorecard(args: argparse.Namespace) -> int:
    from views.score_text import deduction_text
    eng = ready_engine()
    when = parse_as_of(args.as_of).day
    frames = views_policy.load_frames(eng)
    policy, region = policy_and_region(frames, args.policy, None)
    settings = catalogue.load_settings()
    card = views_policy.scorecard_at(frames, settings, policy, region, when)[2]
    card = card.assign(deduction_reasons=[deduction_text(r, settings) for _, r in card.iterrows()],
                       sample=card["is_sample"].map({True: labels.SAMPLE_MARK, False: ""}))
    cols = ["rank", "unit", "score", "target_points", "task_points", "deduction", "deduction_reasons", "group",
            "sample", "targets_led", "targets_shared", "tasks_led", "tasks_shared", "targets_assessed",
            "tasks_assessed", "milestones", "milestones_on_time", "milestones_late", "milestones_overdue",
            "milestones_sample", "extensions"]
    cols += [c for c in card.columns if c.startswith(("targets_", "tasks_")) and c not in cols]
    emit(card[cols], args.format, sample=bool(card["is_sample"].any()))
    return 0


def _meeting_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", required=True, help="截至年份，例如 2020")
    p.add_argument("--region", default=None, help="地区（默认政策所属地区）")
    p.add_argument("--policy", default=None, help="政策代码（默认第一个政策）")


def _deck_args(p: argparse.ArgumentParser) -> None:
    _meeting_args(p)
    p.add_argument("-o", "--output", required=True, help="输出文件（.pptx）")
    p.add_argument("--areas", default=None, help="只含这些领域，逗号分隔（默认全部），例如 企业,平台")
    p.add_argument("--meeting-date", type=date.fromisoformat, default=None, help="会议日期 YYYY-MM-DD（印在封面）")
    p.add_argument("--since", default=None, help="对比的会议快照名称（默认最近一次；none = 不对比）")


@command("deck", "生成科技领导小组会议汇报材料（可编辑的 PowerPoint）", _deck_args)
def cmd_deck(args: argparse.Namespace) -> int:
    from pathlib import Path

    from deck import DeckOptions, build_deck, plan_deck
    from deck.data import deck_data
    eng = ready_engine()
    frames = views_policy.load_frames(eng)
    policy, region = policy_and_region(frames, args.policy, args.region)
    areas = tuple(a.strip() for a in args.areas.split(",") if a.strip()) if args.areas else None
    unknown = sorted(set(areas or ()) - set(labels.AREAS))
    if unknown:
        raise ValueError(f"领域“{'、'.join(unknown)}”不存在；可选：{'、'.join(labels.AREAS)}")
    snapshot = None
    if args.since is None:
        snapshot = views_policy.last_snapshot(eng, policy, region)
    elif args.since.lower() != "none":
        snaps = db.read_snapshots(eng, policy, region)
        match = snaps.loc[snaps["name"] == args.since]
        if match.empty:
            raise ValueError(f"会议快照“{args.since}”不存在（用 cli.py snapshots 查看）")
        snapshot = (match.iloc[0], db.read_snapshot(eng, int(match.iloc[0]["id"])))
    year = as_of_year(args.as_of)
    data = deck_data(frames, catalogue.load_settings(), policy=policy, region=region,
                     as_of_year=year, snapshot=snapshot)
    options = DeckOptions(areas=areas, meeting_date=args.meeting_date)
    Path(args.output).write_bytes(build_deck(data, options))
    slides = plan_deck(data, options)
    print(f"已生成 {args.output}：{len(slides)} 页（{region}，截至{year}年"
          + (f"，对比“{snapshot[0]['name']}”" if snapshot else "") + "）")
    if any(s.uses_sample for s in slides):
        print(f"注意：材料含{labels.SAMPLE_MARK}，相关页面已标注。")
    return 0


def _issue_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"成文日期“{text}”不是日期：请写成 2021-01-15 的形式") from None


def _doc_serial(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 9999:
        raise argparse.ArgumentTypeError(f"文号序号“{text}”无效：应为 1 至 9999 的整数")
    return int(text)


def _bulletin_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", required=True, help="截至日期 YYYY-MM-DD（或年份 2020，即当年12月31日）")
    p.add_argument("-o", "--output", required=True, help="输出文件（.docx）")
    p.add_argument("--region", default=None, help="地区（默认政策所属地区）")
    p.add_argument("--policy", default=None, help="政策代码（默认第一个政策）")
    p.add_argument("--date", type=_issue_date, default=None,
                   help="成文日期 YYYY-MM-DD（默认今天；文号年份取成文日期的年份）")
    p.add_argument("--number", type=_doc_serial, default=None, help="文号序号，例如 3 →〔年份〕3号（默认设置中的 serial）")


@command("bulletin", "生成督查通报（Word 文档，公文格式）", _bulletin_args)
def cmd_bulletin(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bulletin import build_bulletin, bulletin_data
    from bulletin.text import doc_number
    frames = views_policy.load_frames(ready_engine())
    policy, region = policy_and_region(frames, args.policy, args.region)
    point = parse_as_of(args.as_of)
    as_of = point.day if point.is_day else point.year
    data = bulletin_data(frames, catalogue.load_settings(), policy=policy, region=region, as_of=as_of,
                         issued=args.date, number=args.number)
    Path(args.output).write_bytes(build_bulletin(data))
    groups = data.scorecard["group"].value_counts()
    nodes = "" if data.deadlines is None else f"、推进节点 {len(data.overdue_milestones)} 个"
    print(f"已生成 {args.output}：{doc_number(data.settings, data.issued, data.number)}，{region}，截至"
          f"{data.as_of.date()}，成文日期 {data.issued.isoformat()}；{labels.PRAISE}{int(groups.get(labels.PRAISE, 0))}个、"
          f"{labels.CRITICISE}{int(groups.get(labels.CRITICISE, 0))}个单位；逾期重点任务 {len(data.overdue_tasks)} 项{nodes}。")
    if data.is_sample:
        print(f"注意：通报含{labels.SAMPLE_MARK}，已在文中标注。")
    return 0


def _snapshot_args(p: argparse.ArgumentParser) -> None:
    _meeting_args(p)
    p.add_argument("--meeting", required=True, help="会议名称，例如“2020年第四季度科技领导小组会议”")
    p.add_argument("--date", type=date.fromisoformat, default=None, help="会议日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--as", dest="account", required=True, help="以哪个管理账号保存（写入修改记录）")


@command("snapshot", "把当前各目标状态保存为某次会议的快照（下次汇报对比用）", _snapshot_args)
def cmd_snapshot(args: argparse.Namespace) -> int:
    eng = ready_engine()
    frames = views_policy.load_frames(eng, known_on=args.date)  # a past meeting: the data known on its day
    policy, region = policy_and_region(frames, args.policy, args.region)
    year = as_of_year(args.as_of)
    status = views_policy.policy_status(frames, catalogue.load_settings(), policy, region, year)
    snap_id = guard.snapshot_as(eng, guard.cli_account(eng, args.account), status, name=args.meeting,
                                meeting_date=args.date or date.today(), policy=policy, region=region,
                                as_of_year=year)
    print(f"已保存会议快照 #{snap_id}“{args.meeting.strip()}”：{region}，截至{year}年，{len(status)} 个目标。")
    return 0


@command("snapshots", "列出已保存的会议快照", format_arg)
def cmd_snapshots(args: argparse.Namespace) -> int:
    emit(db.read_snapshots(ready_engine(), args.policy).drop(columns=["created_at"]), args.format)
    return 0



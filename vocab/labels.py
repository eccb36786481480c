"""Chinese labels, status palette and icons: defined once, used by pages, exports, deck and CLI."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

APP_TITLE = "创新驱动目标督导看板"
BUREAU = "长垣市科技和工业信息化局"
SAMPLE_MARK = "示例数据"
SAMPLE_BANNER = "示例数据：含演示用的示例数据（非公开来源），不代表真实统计，请勿引用。"
SAMPLE_WARNING = "为演示用的示例数据（非公开来源），不代表真实统计，请勿引用。"


def sample_banner_text(n_sample: int, n_values: int | None = None, what: str = "数值", counter: str = "个") -> str:
    """The 示例数据 warning with its count: '示例数据：本页 46 个数值全部为演示用的示例数据（…）', '示例数据：本页 53 个数值
    中 41 个为…'; without a total, SAMPLE_BANNER."""
    if n_values is None:
        return SAMPLE_BANNER
    share = "全部" if int(n_sample) >= int(n_values) else f"中 {int(n_sample)} {counter}"
    return f"{SAMPLE_MARK}：本页 {int(n_values)} {counter}{what}{share}{SAMPLE_WARNING}"


AREAS: tuple[str, ...] = ("总体", "企业", "平台", "人才", "机构", "项目", "知识产权", "乡村振兴")


@dataclass(frozen=True)
class Status:
    key: str
    label: str
    colour: str   # colour-blind-safe palette (Okabe–Ito based); never shown without icon and label
    icon: str
    order: int    # 0 = best


STATUSES: tuple[Status, ...] = (
    Status("met", "已完成", "#009E73", "✔", 0),
    Status("on_track", "进度正常", "#56B4E9", "▲", 1),
    Status("moderate", "略有滞后", "#E69F00", "◆", 2),
    Status("off_track", "明显滞后", "#D55E00", "▼", 3),
    Status("unmet", "未完成", "#882255", "✘", 4),   # a due target short of its goal (metrics.verdicts)
    Status("reverse", "逆向变化", "#CC79A7", "✖", 5),
    Status("stale", "数据过期", "#7F7F7F", "◷", 6),
    Status("no_final_data", "无期末数据", "#9E9E9E", "◌", 7),  # judged, but no value for the due year
    Status("no_data", "无数据", "#BBBBBB", "？", 8),
)
STATUS_BY_KEY: dict[str, Status] = {s.key: s for s in STATUSES}
STATUS_BY_LABEL: dict[str, Status] = {s.label: s for s in STATUSES}
ATTENTION_STATUSES: tuple[str, ...] = ("unmet", "off_track", "reverse", "stale", "no_final_data")
# statuses that say nothing about a unit's work (no value to judge): not assessed in the scorecard
UNASSESSED_STATUSES: tuple[str, ...] = ("no_final_data", "no_data")

KIND_LABELS = {
    "level": "年末存量",
    "annual": "年度目标",
    "cumulative": "累计目标",
    "relative": "增速高于全省",
    "milestone": "创建里程碑",
    "cagr": "年均增长",
}
TIER_LABELS = {"floor": "底线", "stretch": "力争"}

TASK_STATUSES = {"not_started": "未启动", "in_progress": "进行中", "done": "已完成", "overdue": "已逾期"}
TASK_STATUS_BY_LABEL = {v: k for k, v in TASK_STATUSES.items()}
TASK_STATUS_COLOURS = {"done": "#009E73", "in_progress": "#56B4E9", "not_started": "#BBBBBB", "overdue": "#D55E00"}
TASK_STATUS_ICONS = {"done": "✔", "in_progress": "▲", "not_started": "○", "overdue": "✖"}
UNIT_ROLE_LABELS = {"lead": "牵头单位", "responsible": "责任单位"}

@dataclass(frozen=True)
class ColourBand:
    key: str
    label: str
    colour: str   # never shown without icon and word (colour-blind safe)
    icon: str


# Colour bands of the scorecard (metrics.bands): best first.
COLOUR_BANDS: tuple[ColourBand, ...] = (
    ColourBand("green", "绿", "#009E73", "●"),
    ColourBand("yellow", "黄", "#F0E442", "◆"),
    ColourBand("orange", "橙", "#E69F00", "▲"),
    ColourBand("red", "红", "#D55E00", "■"),
)
COLOUR_BAND_BY_KEY: dict[str, ColourBand] = {b.key: b for b in COLOUR_BANDS}
COLOUR_BAND_RULES = {"quartile": "按得分四分位", "thresholds": "按固定分数线"}


def colour_band_text(key: str) -> str:
    """Icon plus word, e.g. '● 绿' ('' for no band) — what tables and the bulletin show for a colour band."""
    if not key:
        return ""
    b = COLOUR_BAND_BY_KEY[key]
    return f"{b.icon} {b.label}"


PRAISE = "通报表扬"
CRITICISE = "通报批评"
SCORE_DECIMALS = 1  # a score is rounded once, in metrics.scorecard, and printed with this many decimals everywhere
SAMPLE_NOT_CRITICISED = "得分依据含示例数据的单位不作通报批评"
# 督办 deductions of the scorecard ([scorecard.deductions] in data/settings.toml): item key → what is counted
DEDUCTION_LABELS = {"overdue_milestone": "逾期未完成节点", "late_milestone": "逾期完成节点", "extension": "批准延期"}
DEDUCTION_UNITS = {"overdue_milestone": "个", "late_milestone": "个", "extension": "次"}


def score_text(value: float | None) -> str:
    """A score as every table, chart, slide and bulletin prints it ('76.7'; '—' for missing)."""
    return number_text(value, SCORE_DECIMALS)


def status_text(key: str) -> str:
    """Icon plus label, e.g. '✔ 已完成' — what every table and slide shows for a status."""
    s = STATUS_BY_KEY[key]
    return f"{s.icon} {s.label}"


def is_missing(value: object) -> bool:
    """True for None, NaN (any float type), pd.NA and NaT: the one test for "no value to show" on a single value
    (frames use Series.isna())."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(value != value)  # noqa: PLR0124 -- NaN and NaT are the values unequal to themselves
    except (TypeError, ValueError):  # arrays and other values without a single truth value
        return False


def is_blank(value: object) -> bool:
    """is_missing, or a text of nothing but spaces: an empty grid or form cell."""
    return is_missing(value) or (isinstance(value, str) and not value.strip())


def number_text(value: float | None, decimals: int = 0) -> str:
    """A value as the bureau writes it: thousands separators, fixed decimals, '—' for missing."""
    if is_missing(value):
        return "—"
    return f"{value:,.{int(decimals)}f}"


def percent_text(value: float | None, decimals: int = 0) -> str:
    """A share (0.953) as a percentage with fixed decimals ('95%', '95.3%'); '—' for missing."""
    if is_missing(value):
        return "—"
    return f"{value * 100:,.{int(decimals)}f}%"


def points_text(value: float | None) -> str:
    """A difference of two growth rates in percentage points, signed ('+3.2', '-54.6'); '—' for missing."""
    if is_missing(value):
        return "—"
    return f"{value:+,.1f}"


PERCENT_POINTS = "个百分点"


def with_unit(number: str, unit: str) -> str:
    """A written number and its unit, the one way every page, slide, bulletin and CLI writes them: together, with no
    space ('95家', '3.50%', '0.3个百分点'); a missing number ('—') stands alone."""
    return number if number == "—" or not unit else f"{number}{unit}"


def written_decimals(value: float | None, most: int = 4) -> int:
    """The decimals a number was written with in the policy (3.8 → 1, 100 → 0, 2.25 → 2), at most `most`: a target
    reads as the document wrote it ('≥3.8%', not '≥3.80%')."""
    if is_missing(value):
        return 0
    for decimals in range(most + 1):
        if abs(round(float(value), decimals) - float(value)) < 1e-9 * max(1.0, abs(float(value))):
            return decimals
    return most


def difference_unit(unit: str) -> str:
    """The unit of a difference of two values: a change of a share in % is in 个百分点 (percentage points)."""
    return PERCENT_POINTS if unit == "%" else unit


def difference_text(value: float | None, unit: str, decimals: int = 0, signed: bool = False) -> str:
    """A difference with its unit: '+19家', '0.40个百分点' (never '+0.40%' for a share); '—' for missing."""
    if is_missing(value):
        return "—"
    number = f"{value:+,.{int(decimals)}f}" if signed else number_text(value, decimals)
    return with_unit(number, difference_unit(unit))


# ---------------------------------------------------------------- dashboard pages and charts
PAGE_TITLES = {"overview": "总览", "portfolio": "政策一览", "detail": "目标详情", "areas": "分领域",
               "departments": "部门督办", "compare": "对比分析", "quality": "数据质量"}
SERIES_LABELS = {"actual": "实际值", "path": "目标路径", "forecast": "趋势预测", "target": "目标值",
                 "benchmark": "基准地区"}
SERIES_COLOURS = {"actual": "#1F4E79", "path": "#7F7F7F", "forecast": "#E69F00", "target": "#D55E00",
                  "benchmark": "#56B4E9"}
GROUP_COLOURS = {PRAISE: "#009E73", CRITICISE: "#D55E00", "": "#9DB4CC"}
REGION_COLOURS = ("#1F4E79", "#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#7F7F7F")
INDEX_BASE_TEXT = "以{year}年为100"
QUALITY_LABELS = {"no_data": "无数据", "stale": "数据过期", "sample": "示例数据", "no_source": "缺少出处"}


DIRECTION_LABELS = {"up": "↑ 好转", "down": "↓ 退步", "same": "＝ 持平", "new": "新增目标", "gone": "已移除",
                    "value_added": "＋ 新增数据", "judged": "■ 到期判定"}
FIELD_LABELS = {
    "baseline": "基期值", "actual": "实际值", "target_value": "目标值", "expected": "按进度应达",
    "attainment": "完成率", "gap": "距目标差距", "ratio": "进度比（实际进展÷应有进展）",
    "required_annual_increase": "今后每年需新增", "required_growth_rate": "今后每年需增长",
    "actual_annual_increase": "基期以来年均新增", "actual_growth_rate": "基期以来年均增长",
    "region_growth": "本地区最新年度增速", "benchmark_growth": "基准地区最新年度增速", "margin_pp": "增速差（百分点）",
    "region_growth_avg": "本地区基期以来年均增速", "benchmark_growth_avg": "基准地区基期以来年均增速",
    "forecast_linear": "线性趋势预测", "forecast_compound": "复合增长趋势预测", "forecast": "趋势预测（按指标路径）",
    "forecast_reaches": "按趋势能否完成",
}
AUDIT_ACTIONS = {"create": "新增", "update": "修改", "delete": "删除", "revert": "撤销"}

# ---------------------------------------------------------------- documents (PowerPoint deck, PDF)
REPORT_PAGE_TITLE = "汇报材料"

# ---------------------------------------------------------------- data entry, Excel import/export, audit log
ENTRY_PAGE_TITLES = {"entry": "数据填报", "audit": "修改记录"}
CHANGE_LABELS = {"new": "新增", "update": "修改", "unchanged": "不变"}
AUDIT_ENTITIES = {"observation": "观测值", "task_progress": "任务进展", "target": "目标", "indicator": "指标",
                  "task": "任务", "policy": "政策", "region": "地区", "department": "单位",
                  "snapshot": "会议快照", "milestone": "推进节点", "chase": "催办", "extension_request": "延期申请"}
LOGIN_NEEDED = "请先在左侧边栏登录：每一次修改都以登录账号记入修改记录。"
EXPORT_LOGIN = "登录后可导出全部数据（导出文件含修改记录）。"
LOGIN_TO_READ = "本系统需要登录后才能查看，请输入用户名和密码。"
SESSION_EXPIRED = "长时间未操作，已自动退出登录，请重新登录。"
VIEWER_ONLY = "查看账号可以浏览和下载全部数据与汇报材料，不能填报或修改。"
ADMIN_ONLY = "只有管理账号可以撤销修改。"
ADMIN_ONLY_SNAPSHOT = "只有管理账号可以保存会议快照。"
LOGIN_LABELS = {"name": "用户名", "password": "密码", "submit": "登录", "logout": "退出登录"}

# ---------------------------------------------------------------- a value's vintage (数据状态, 发布日期; issue 21)
# Stored as the keys; a value already stored before vintages existed is 未注明 ("unstated").
DATA_STATUSES = {"estimate": "预计", "preliminary": "初步", "verified": "核实", "revised": "修订", "unstated": "未注明"}
DATA_STATUS_BY_LABEL = {v: k for k, v in DATA_STATUSES.items()}
PROVISIONAL_STATUSES = ("estimate", "preliminary")  # a status resting on one of these is only 暂判
VINTAGE_COLUMNS = {"data_status": "数据状态", "released_on": "发布日期"}
VINTAGE_CHANGE_LABELS = {"vintage": "新版次", "earlier": "较早版次"}  # beside CHANGE_LABELS in import previews
PROVENANCE_LABELS = {"real": "公开数据", "sample": SAMPLE_MARK}  # 数据质量: published figures against sample values
# the store's audit rows of vintages: a new vintage that became current, an earlier vintage kept in history
AUDIT_ACTIONS["vintage"] = "新增版次"
AUDIT_ENTITIES["observation_vintage"] = "较早版次"


def data_status_text(key: str) -> str:
    """The 数据状态 word of a stored key ('preliminary' → '初步'); an unknown or missing key reads 未注明."""
    return DATA_STATUSES.get(key, DATA_STATUSES["unstated"]) if isinstance(key, str) else DATA_STATUSES["unstated"]

# ---------------------------------------------------------------- 督办: milestones, deadlines, chases, extensions
MILESTONE_STATUSES = {"not_started": "未开始", "in_progress": "推进中", "done": "已完成"}
MILESTONE_STATUS_BY_LABEL = {v: k for k, v in MILESTONE_STATUSES.items()}


@dataclass(frozen=True)
class DeadlineState:
    key: str
    label: str
    colour: str   # Okabe–Ito, like STATUSES; always shown with icon and word
    icon: str
    order: int    # 0 = most urgent


DEADLINE_STATES: tuple[DeadlineState, ...] = (
    DeadlineState("overdue", "已逾期", "#D55E00", "✖", 0),
    DeadlineState("due_soon", "临期", "#E69F00", "◷", 1),
    DeadlineState("early_warning", "预警", "#F0E442", "△", 2),
    DeadlineState("extended", "已延期", "#CC79A7", "↻", 3),
    DeadlineState("normal", "正常", "#56B4E9", "○", 4),
    DeadlineState("done_late", "逾期完成", "#7F7F7F", "✔", 5),
    DeadlineState("done_on_time", "按期完成", "#009E73", "✔", 6),
)
DEADLINE_BY_KEY: dict[str, DeadlineState] = {s.key: s for s in DEADLINE_STATES}
SUPERVISION_TITLES = {"attention": "临期与逾期", "todo": "本单位待办", "chase": "催办", "extension": "延期申请",
                      "review": "延期审核", "decide": "延期审批", "edit": "推进节点维护", "history": "催办记录",
                      "done": "报送办结", "done_reports": "办结报告与佐证材料"}
MILESTONE_SAMPLE_NOTE = "示例数据：推进节点为演示用的示例计划（每半年一个节点），不是各单位报送的真实计划。"


def deadline_text(key: str) -> str:
    """Icon plus word, e.g. '✖ 已逾期' — how every table, mail and page shows a deadline state."""
    s = DEADLINE_BY_KEY[key]
    return f"{s.icon} {s.label}"


def days_text(state: str, days_left: int | None, days_overdue: int) -> str:
    """'逾期 12 天' / '剩余 3 天' / '今天到期' / '—' (done)."""
    if state == "overdue":
        return f"逾期 {int(days_overdue)} 天"
    if is_missing(days_left) or state in ("done_on_time", "done_late"):
        return "—"
    return "今天到期" if int(days_left) == 0 else f"剩余 {int(days_left)} 天"

# ---------------------------------------------------------------- a new policy from its 任务分解表 (pages/policy_import)
POLICY_IMPORT_TITLE = "导入政策"
# the kinds a reading may have: the catalogue's (cagr included) and a task without a number
READING_KIND_LABELS = {**KIND_LABELS, "task": "仅任务（无数值）"}
READING_MARKS = {"ok": "✔ 已读出", "doubt": "⚠ 待核对", "problem": "✖ 有问题"}
ADMIN_ONLY_POLICY = "只有管理账号可以导入政策任务分解表。"

# ---------------------------------------------------------------- 政策一览 and the 终期评估报告 (views/portfolio, evaluation/)
PORTFOLIO_TITLE = PAGE_TITLES["portfolio"]
POLICY_STATES = {"pending": "未开始", "running": "实施中", "over": "已结束"}
POLICY_STATE_ICONS = {"pending": "○", "running": "▲", "over": "■"}
EVALUATION_TITLE = "终期评估报告"
OTHER_POLICY_COLOURS = ("#CC79A7", "#009E73", "#56B4E9")  # another policy's target on a shared indicator's chart
SAMPLE_NOTE_MARK = "＊"   # after a number in a document that rests on sample data (explained in the note)

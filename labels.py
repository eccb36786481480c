"""Chinese labels, status palette and icons: defined once, used by pages, exports, deck and CLI."""
from __future__ import annotations

from dataclasses import dataclass

APP_TITLE = "创新驱动目标督导看板"
BUREAU = "长垣市科技和工业信息化局"
SAMPLE_MARK = "示例数据"
SAMPLE_BANNER = "示例数据：本页部分数值为演示用的示例数据（非公开来源），不代表真实统计，请勿引用。"

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
    Status("reverse", "逆向变化", "#CC79A7", "✖", 4),
    Status("stale", "数据过期", "#7F7F7F", "⏱", 5),
    Status("no_data", "无数据", "#BBBBBB", "？", 6),
)
STATUS_BY_KEY: dict[str, Status] = {s.key: s for s in STATUSES}
STATUS_BY_LABEL: dict[str, Status] = {s.label: s for s in STATUSES}
ATTENTION_STATUSES: tuple[str, ...] = ("off_track", "reverse", "stale")

KIND_LABELS = {
    "level": "年末存量",
    "annual": "年度目标",
    "cumulative": "累计目标",
    "relative": "增速高于全省",
    "milestone": "创建里程碑",
}
COMPARATOR_LABELS = {">=": "不低于", "<=": "不高于", "approx": "左右", "range": "区间", ">": "高于"}
TIER_LABELS = {"floor": "底线", "stretch": "力争"}
MEASURE_LABELS = {"stock": "存量", "flow": "增量", "ratio": "比率", "rank": "位次", "stage": "阶段"}
FREQUENCY_LABELS = {"annual": "年度", "quarterly": "季度"}

TASK_STATUSES = {"not_started": "未启动", "in_progress": "进行中", "done": "已完成", "overdue": "已逾期"}
TASK_STATUS_BY_LABEL = {v: k for k, v in TASK_STATUSES.items()}
TASK_STATUS_COLOURS = {"done": "#009E73", "in_progress": "#56B4E9", "not_started": "#BBBBBB", "overdue": "#D55E00"}
TASK_STATUS_ICONS = {"done": "✔", "in_progress": "▲", "not_started": "○", "overdue": "✖"}
ROLE_LABELS = {"lead": "牵头单位", "responsible": "责任单位"}

PRAISE = "通报表扬"
CRITICISE = "通报批评"


def status_text(key: str) -> str:
    """Icon plus label, e.g. '✔ 已完成' — what every table and slide shows for a status."""
    s = STATUS_BY_KEY[key]
    return f"{s.icon} {s.label}"


def number_text(value: float | None, decimals: int = 0) -> str:
    """A value as the bureau writes it: thousands separators, fixed decimals, '—' for missing."""
    if value is None or value != value:
        return "—"
    return f"{value:,.{int(decimals)}f}"


def target_text(comparator: str, value: float | None, low: float | None, high: float | None, unit: str,
                decimals: int = 0) -> str:
    """The target as a phrase: '≥ 100 家', '15 家左右', '1—2 项', '高于河南省'."""
    if comparator == "range":
        return f"{number_text(low, decimals)}—{number_text(high, decimals)} {unit}"
    if comparator == "approx":
        return f"{number_text(value, decimals)} {unit}左右"
    if comparator == ">":
        return "增速明显高于基准地区"
    sign = {">=": "≥", "<=": "≤"}[comparator]
    return f"{sign} {number_text(value, decimals)} {unit}"

# ---------------------------------------------------------------- metrics: 左右 bands and ranges
BAND_LABELS = {("approx", "below"): "低于“左右”范围", ("approx", "inside"): "在“左右”范围内",
               ("approx", "above"): "超出“左右”范围", ("range", "below"): "低于区间下限",
               ("range", "inside"): "在区间内", ("range", "above"): "超出区间上限"}


def band_text(comparator: str, band_position: str) -> str:
    """Where a 左右 or range target's actual lies (target_status column band_position); '' for other targets."""
    return BAND_LABELS.get((comparator, band_position), "")

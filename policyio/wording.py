"""What a 目标任务 text sets as goals: each number with its comparator, unit, kind and tier, the indicator phrase it
belongs to, milestones without a number ('创建国家创新型县（市）'), and what could not be read (a problem, never a
guess). Pure: the indicator phrase is matched elsewhere (policyio.indicators).

Kinds: level ('达到3.8%', '100家以上', '进入全省前10位' → <= 10), annual ('每年…15家左右'), cumulative ('累计',
'期间新增', a 新增 count), cagr ('年均增长10%以上'), relative ('增速高于全省'), milestone ('创建…', no number).
'确保…、力争…' on one row is one reading with a floor value and a stretch value."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from vocab.periods import normalise

# ------------------------------------------------------------------ vocabulary of the wording
FLOOR_WORDS = ("确保", "底线", "保底")
STRETCH_WORDS = ("力争", "争取", "努力", "冲刺")
EVERY_YEAR_WORDS = ("每年", "年均新增", "年均引进", "年均培育", "年均新", "每年度")
PERIOD_WORDS = ("累计", "期间", "共计", "合计", "总计", "五年", "规划期内", "规划期间")
NEW_VERBS = ("新增", "新引进", "新培育", "新创建", "新建", "新认定", "新获批", "新设立", "新招引", "新落地")
# comparator words that may stand right before the number, longest first
AT_LEAST = ("不低于", "不少于", "不小于", "至少", "超过", "突破", "高于")
AT_MOST = ("不高于", "不超过", "不多于", "控制在", "低于", "下降到", "降低到", "降至", "降到", "减少到")
REACH = ("达到", "保持在", "稳定在", "提高到", "提升到", "增加到", "增长到", "增至", "提高至", "提升至", "达", "为")
# verbs cut from the ends of an indicator phrase ('新创建' stays as a candidate: indicator names often start with it)
VERBS = ("年均增长率", "年均增长", "年均增速", "年平均增长", "年均递增", "年均增幅", "年均提高", "增长速度", "增速",
         "进入", "位居", "位列", "稳居", "跻身", "保持", "持续", "实现", "完成", "达到", "达", "突破", "超过",
         "新增", "引进", "培育", "创建", "建成", "建设", "认定", "实施", "组织", "开展", "获批", "打造", "遴选",
         "争创", "新引进", "新培育", "新创建", "提高", "提升", "增长", "增加", "下降", "降低", "减少", "继续",
         "数量要", "要")
TIME_WORDS = ("每年度", "每年", "年均", "累计", "期间", "规划期内", "规划期末", "十五五末", "十四五末", "十五五",
              "十四五", "末", "年底前", "年底", "底前", "前", "到", "至", "全市", "全县", "我市", "全区", "其中",
              "并", "和", "及", "以上", "同时", "共计", "合计", "总计", "五年", "的")
MILESTONE_VERBS = ("成功创建", "创建成为", "申报创建", "争创", "创建", "创成", "建成", "获批", "成功申报", "申创")
MILESTONE_OBJECTS = ("县", "示范区", "高新区", "开发区", "基地", "园区", "城市", "先行区", "试验区", "创新型",
                     "示范点", "示范市", "辐射区", "自创区", "实验室", "中心")
VAGUE_OBJECTS = ("一批", "若干", "多个", "一系列")

_UNIT = r"%|个百分点|亿元|万元|千元|元|万人次|人次|万人|家|个|项|件|名|次|位|所|座|支|款|台|套|条|篇|户|人|亿|万|倍|强"
_QTY = re.compile(r"(?P<num>\d+(?:\.\d+)?)(?:[—–\-~至到](?P<num2>\d+(?:\.\d+)?))?(?P<unit>" + _UNIT
                  + r")?(?P<post>及以上|以上|以下|以内|左右)?")
_YEAR = re.compile(r"(?:(?:19|20|21)\d{2}年?[—–\-~至到])?((?:19|20|21)\d{2})年(?:底|末|度)?(?:前|以前)?")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"(?<![第一二三四五六七八九十])([一二两三四五六七八九十]{1,3})"
                        r"(?=家|个|项|件|名|次|所|座|支|位|款|条|户|人次|强)")
_SENTENCE = re.compile(r"[;。!?\n]")
_SEGMENT = re.compile(r"[,、:]")
_CAGR = re.compile(r"年(?:均|平均)(?:增长|增速|递增|增幅|提高)")
_GROWTH = re.compile(r"(?:增长|提高|提升|增加|下降|降低|减少)(?:率)?(?:达到|为)?$")
_RELATIVE = re.compile(r"(增速|增长速度|增幅)(?:明显|持续)?高于(全省|全国|全市)(?:平均)?(?:水平)?")
_DOUBLING = re.compile(r"翻(?:一|两|二|三)?番")
_FRONT = re.compile(r"前列")
_QUOTES = re.compile(r"[“”\"'‘’《》「」]")


@dataclass
class Goal:
    """One goal a text sets. `phrase` is the indicator as written; value is the plain (or 底线) value, stretch the
    力争 value; `unit` the value's unit ('%' for a growth rate); `year` the year the text names for it. `problems`
    say why the reading is uncertain (each is shown, none is guessed away); `notes` say how a word was read."""
    kind: str | None
    phrase: str
    comparator: str | None = None
    value: float | None = None
    value_low: float | None = None
    value_high: float | None = None
    stretch: float | None = None
    unit: str = ""
    year: int | None = None
    benchmark: str | None = None   # relative goals: 全省 (the policy's benchmark region)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tier: str | None = None        # floor | stretch while reading; merged into value/stretch


def prepare(text: str) -> str:
    """Width folded, spaces and line breaks out, thousands separators out, quotes out, Chinese numerals before a
    measure word as digits ('两个' → '2个', '前十位' → '前10位')."""
    flat = normalise(re.sub(r"[\r\n\x0b\u2028\u2029]+", "", str(text)))
    flat = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", flat)
    flat = _QUOTES.sub("", flat)
    return _CN_NUMBER.sub(lambda m: str(_cn_value(m.group(1))), flat)


def _cn_value(text: str) -> int:
    """'十' 10, '十五' 15, '二十' 20, '二十五' 25, '两' 2."""
    if "十" not in text:
        return _CN_DIGITS[text[-1]]
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def read_goals(text: str, every_year: bool = False) -> list[Goal]:
    """Every goal of one 目标任务 text, in the text's order; [] for a task without a number or milestone.
    `every_year`: the row's 完成时限 says 每年 (a count without 累计 is then a yearly amount)."""
    flat = prepare(text)
    goals: list[Goal] = []
    for sentence in _SENTENCE.split(flat):
        if sentence:
            goals += _sentence_goals(sentence, every_year)
    return goals


def _sentence_goals(sentence: str, every_year: bool) -> list[Goal]:
    years = [(m.start(), m.end(), int(m.group(1))) for m in _YEAR.finditer(sentence)]
    masked = _mask(sentence, [(a, b) for a, b, _ in years])
    goals: list[Goal] = []
    start, tier = 0, None
    consumed: list[tuple[int, int]] = []
    for m in _QTY.finditer(masked):
        before = masked[start:m.start()]
        tier = _tier(before, tier)
        goal = _goal(m, before, masked, sentence, every_year, tier)
        if goal is None:
            continue
        goal.year = _year_for(years, m.start())
        if not goal.phrase:
            goal.phrase = _after_phrase(masked[m.end():]) or (goals[-1].phrase if goals else "")
        goals.append(goal)
        consumed.append((m.start(), m.end()))
        start = m.end()
    goals += _unreadable(masked, consumed)
    goals = _merge_tiers(goals)
    if not goals:
        goals = _relative(masked) or _milestones(masked)
    leftover = re.findall(r"\d+(?:\.\d+)?", _mask(masked, consumed))
    if leftover and not any(g.kind is None for g in goals):
        goals.append(Goal(None, "", problems=[f"数字“{'、'.join(leftover)}”未能识别为目标：请核对是否漏读了一个目标"]))
    return goals


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with these spans blanked by '#' (same length, so positions stay)."""
    chars = list(text)
    for a, b in spans:
        chars[a:b] = "#" * (b - a)
    return "".join(chars)


def _year_for(years: list[tuple[int, int, int]], pos: int) -> int | None:
    """The year named last before the number in its sentence, else the first after it."""
    before = [y for a, _, y in years if a < pos]
    after = [y for a, _, y in years if a >= pos]
    return before[-1] if before else (after[0] if after else None)


def _tier(before: str, current: str | None) -> str | None:
    """确保 … → floor, 力争 … → stretch; the last such word before the number decides, else the one in force."""
    hits = [(before.rfind(w), "floor") for w in FLOOR_WORDS] + [(before.rfind(w), "stretch") for w in STRETCH_WORDS]
    pos, tier = max(hits)
    return tier if pos >= 0 else current


def _goal(m: re.Match, before: str, masked: str, sentence: str, every_year: bool, tier: str | None) -> Goal | None:
    """The goal of one number, or None when the number is no goal (no unit and no comparator word)."""
    unit, post = m.group("unit") or "", m.group("post") or ""
    value = float(m.group("num"))
    stripped = before.rstrip("#")
    pre = next((w for w in AT_LEAST + AT_MOST + REACH if stripped.endswith(w)), "")
    rank = stripped.endswith("前") and unit in ("", "位", "名", "强")
    if not unit and not post and not pre and not rank:
        return None
    prefix = masked[:m.start()]
    goal = Goal("level", "", tier=tier, unit=unit)
    if unit == "个百分点" or _GROWTH.search(stripped) and unit == "%" and not _CAGR.search(stripped):
        goal.kind = None
        goal.problems.append(f"“{_context(sentence, m)}”是相对基期的变化，需要基期值才能换算成目标值：请填写目标值")
    elif unit == "倍":
        goal.kind = None
        goal.problems.append(f"“{_context(sentence, m)}”是倍数，需要基期值才能换算成目标值：请填写目标值")
    elif _CAGR.search(stripped) and unit == "%":
        goal.kind = "cagr"
    elif rank:
        goal.unit, goal.comparator = "位", "<="
    elif any(w in prefix for w in EVERY_YEAR_WORDS) or every_year and unit != "%" and not pre:
        # a 完成时限 of 每年 makes an amount yearly ('新创建…15家'), not a level the text says is reached ('达到…')
        goal.kind = "annual"
    elif any(w in prefix for w in PERIOD_WORDS) or any(v in stripped for v in NEW_VERBS):
        goal.kind = "cumulative"
        if not any(w in prefix for w in PERIOD_WORDS):
            goal.notes.append("“新增”按规划期内累计理解")
    if m.group("num2"):
        goal.comparator, goal.value_low, goal.value_high = "range", value, float(m.group("num2"))
        if goal.value_low > goal.value_high:
            goal.problems.append(f"区间“{m.group(0)}”的上下限颠倒")
    else:
        goal.value = value
        goal.comparator = goal.comparator or _comparator(pre, post)
    if goal.kind == "cagr" and goal.comparator == "approx":
        goal.comparator = ">="
        goal.problems.append("“年均增长…左右”按“不低于”读取：请核对")
    if unit == "%" and goal.kind in ("level", "annual", "cumulative") and value > 100:
        goal.problems.append(f"百分比 {m.group('num')}% 超过 100：请核对")
    goal.phrase, cut = _phrase(before, rank)
    if cut:
        goal.problems.append(f"“{cut}”与“{goal.phrase}”并列，可能一个目标涉及多个指标：请核对，必要时拆成多行")
    return goal


def _comparator(pre: str, post: str) -> str:
    if post == "左右":
        return "approx"
    if post in ("以下", "以内") or pre in AT_MOST:
        return "<="
    return ">="


def _context(sentence: str, m: re.Match) -> str:
    """The words of a number's own clause, up to the number's end ('科技进步贡献率提高5个百分点')."""
    start = max(sentence.rfind(c, 0, m.start()) for c in ",、:") + 1
    return sentence[start:m.end()]


def _phrase(before: str, rank: bool) -> tuple[str, str]:
    """The indicator phrase in the text before a number (its last comma-separated part that names something) and
    the part before a '、' it was cut from, when that part names something too (then the goal may span two
    indicators)."""
    clauses = [c for c in re.split(r"[,:]", before)]
    for clause in reversed(clauses):
        parts = clause.split("、")
        for i in range(len(parts) - 1, -1, -1):
            phrase = _clean_phrase(parts[i], rank)
            if phrase:
                earlier = _clean_phrase(parts[i - 1], False) if i > 0 else ""
                return phrase, earlier
    return "", ""


def _clean_phrase(text: str, rank: bool) -> str:
    """A phrase without time words, tier words, comparator words and verbs at its ends ('到####年,全社会研发投入强度
    达到' → '全社会研发投入强度'); for a rank, the scope after the verb goes first ('科技创新综合实力进入全省县(市)前'
    → '全省县(市)科技创新综合实力')."""
    text = text.replace("#", "")
    if rank:
        text = text.removesuffix("前")
        for verb in ("进入", "位居", "位列", "稳居", "跻身", "保持在", "保持", "居"):
            if verb in text:
                core, _, scope = text.partition(verb)
                text = scope + core
                break
    words = sorted(set(FLOOR_WORDS + STRETCH_WORDS + AT_LEAST + AT_MOST + REACH + VERBS + TIME_WORDS), key=len,
                   reverse=True)
    changed = True
    while changed and text:
        changed = False
        for w in words:
            if w in NEW_VERBS or w in ("创建", "引进", "培育"):
                continue  # a leading 新增/新创建… often belongs to the indicator's name; matching tries both
            if text.startswith(w):
                text, changed = text[len(w):], True
            if text.endswith(w) and text != w:
                text, changed = text[:-len(w)], True
        if text in words:
            text, changed = "", True
        while text[-1:] in "、,的" and text:
            text, changed = text[:-1], True
    return text


def _after_phrase(after: str) -> str:
    """The phrase after a number ('3项进入省创新示范专项' → '省创新示范专项'), up to the next separator."""
    part = re.split(r"[,、;:]", after.replace("#", ""), maxsplit=1)[0]
    part = re.sub(r"^(?:进入|纳入|列入|获批|获得|入选|的)", "", part)
    return "" if _QTY.match(part) else part


def _unreadable(masked: str, consumed: list[tuple[int, int]]) -> list[Goal]:
    """Goals that need a base value ('翻一番') or a rank without a number ('前列'): shown as problems."""
    goals = []
    for m in _DOUBLING.finditer(masked):
        goals.append(Goal(None, _phrase(masked[:m.start()], False)[0], problems=[
            f"“{m.group(0)}”需要基期值才能换算成目标值：请填写目标值"]))
    for m in _FRONT.finditer(masked):
        goals.append(Goal("level", _phrase(masked[:m.start()], True)[0], comparator="<=", unit="位", problems=[
            "“前列”没有具体名次：请填写名次（如 10）"]))
    return goals


def _merge_tiers(goals: list[Goal]) -> list[Goal]:
    """'确保 60%、力争 70%' of one indicator → one goal with value 60 and stretch 70; a 力争 goal alone keeps its
    value as the stretch value only."""
    merged: list[Goal] = []
    for g in goals:
        prev = merged[-1] if merged else None
        if (g.tier == "stretch" and prev is not None and prev.tier == "floor" and prev.phrase == g.phrase
                and prev.kind == g.kind and prev.stretch is None and g.comparator != "range"):
            prev.stretch = g.value
            prev.problems += g.problems
            continue
        if g.tier == "stretch" and g.comparator != "range" and g.kind is not None:
            g.stretch, g.value = g.value, None
        merged.append(g)
    return merged


def _relative(masked: str) -> list[Goal]:
    """'…年均增长速度明显高于全省平均水平': growth above the benchmark region's (only 全省 is known: the policy's
    benchmark)."""
    m = _RELATIVE.search(masked)
    if not m:
        return []
    goal = Goal("relative", _phrase(masked[:m.start()], False)[0], comparator=">", value=0.0, benchmark=m.group(2))
    if m.group(2) != "全省":
        goal.problems.append(f"基准“{m.group(2)}”不是本政策的比较地区（全省）：请核对")
    return [goal]


def _milestones(masked: str) -> list[Goal]:
    """'创建国家创新型县(市)' or '争创A、B、C' with no number: one milestone per object named."""
    goals = []
    for clause in re.split(r"[,;]", masked):
        verb = next((v for v in MILESTONE_VERBS if v in clause), None)
        if verb is None or re.search(r"\d", clause.replace("#", "")):
            continue
        rest = clause.split(verb, 1)[1]
        rest = re.split(r"为载体|为抓手|为目标|工作", rest)[0]
        for obj in rest.split("、"):
            obj = obj.strip("#的")
            if obj and not obj.startswith(VAGUE_OBJECTS) and any(o in obj for o in MILESTONE_OBJECTS):
                goals.append(Goal("milestone", obj, comparator=">=", value=2.0, unit="阶段"))
    return goals

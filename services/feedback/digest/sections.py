"""The document's sections as plain rows, shared by the three renderers.

Each renderer only decides how a heading, a key-value table, a table or a bullet list
looks; what goes into the document, and in which order, is decided here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import CoreIssuesDigest, QuestionEntry
from .summary import fmt_duration, fmt_hours, fmt_pct, fmt_signed_pct, fmt_time

__all__ = ["Section", "Table", "document_sections", "document_title", "meta_lines"]

_SOURCE = {"enquiry": "登记咨询", "comment": "评论", "message": "留言"}


@dataclass(frozen=True, slots=True)
class Table:
    """A table: header and rows of cell text."""

    header: tuple[str, ...]
    rows: list[tuple[str, ...]]


@dataclass(slots=True)
class Section:
    """A numbered section: heading, paragraphs, tables, bullet lists and quotes."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    table: Table | None = None
    bullets: list[str] = field(default_factory=list)
    quotes: list[tuple[str, list[str]]] = field(default_factory=list)  # (caption, quotes)
    note: str | None = None


def document_title(d: CoreIssuesDigest) -> str:
    """《推送反馈核心问题汇总》."""
    return f"《{d.title}》"


def meta_lines(d: CoreIssuesDigest) -> list[tuple[str, str]]:
    """The lines under the title: recipient, post, category, window, generated time."""
    return [
        ("呈报", d.recipient),
        ("推送标题", d.post.title),
        ("内容分类", d.category_label),
        ("发布时间", fmt_time(d.post.published_at)),
        ("统计窗口", f"{fmt_time(d.window_start)} 至 {fmt_time(d.window_end)}（北京时间）"),
        ("生成时间", fmt_time(d.generated_at)),
    ]


def _num(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _status(q: QuestionEntry) -> str:
    if q.is_open:
        return "未回复（已超时）" if q.breached else "未回复"
    return "已回复（超时）" if q.breached else "已回复"


def document_sections(d: CoreIssuesDigest) -> list[Section]:
    """Every section of the document, in order."""
    h = d.headline
    numbers = Table(
        ("指标", "数值"),
        [
            ("评论数", _num(h.comments)),
            ("留言数", _num(h.messages)),
            ("需回复问题（登记咨询 + 识别提问）", _num(h.enquiries)),
            ("已回复", _num(h.answered)),
            ("未回复", _num(h.open)),
            (f"超过{fmt_hours(h.reply_limit_hours)}小时回复时限", _num(h.breached)),
            ("阅读数", _num(h.reads)),
            ("点赞数", _num(h.likes)),
            ("转发数", _num(h.shares)),
            ("剔除垃圾信息", _num(h.spam)),
            ("迟到数据（未计入）", _num(h.late_excluded)),
        ],
    )
    themes = Section(
        "三、客户关注的主题",
        table=Table(
            ("序号", "主题（关键词）", "条数", "占比", "负面", "提问"),
            [
                (str(n), t.label, str(t.count), fmt_pct(t.share), str(t.negative), str(t.questions))
                for n, t in enumerate(d.themes, 1)
            ],
        ),
        quotes=[(f"主题{n}“{t.label}”代表性原话", t.quotes) for n, t in enumerate(d.themes, 1)],
    )
    if not d.themes:
        themes.paragraphs.append("窗口内没有可归类的客户反馈。")
    questions = Section(
        "四、客户问题及回复情况",
        paragraphs=[
            f"共 {d.questions_total} 条；回复时限为{fmt_hours(h.reply_limit_hours)}小时，"
            "未回复及超时问题排在前面。"
        ],
        table=Table(
            ("提问人", "提问时间", "来源", "问题内容", "回复人", "回复时间", "回复用时", "状态"),
            [
                (
                    q.asked_by,
                    fmt_time(q.asked_at),
                    _SOURCE[q.source],
                    q.text,
                    q.answered_by or "—",
                    fmt_time(q.answered_at),
                    fmt_duration(q.time_to_reply),
                    _status(q),
                )
                for q in d.questions
            ],
        ),
    )
    if d.questions_total > len(d.questions):
        hidden_open = h.open - sum(q.is_open for q in d.questions)
        questions.note = (
            f"另有 {d.questions_total - len(d.questions)} 条问题未列出"
            f"（其中未回复 {hidden_open} 条），完整清单见系统导出。"
        )
    complaints = Section(
        "五、需处理的投诉与负面反馈",
        paragraphs=[f"共 {d.complaints_total} 条（已排除垃圾信息），按负面程度排序。"],
        bullets=[
            f"{c.author}（{fmt_time(c.received_at)}，{_SOURCE[c.kind]}）：{c.text}"
            + (f"　〔主题：{c.theme}〕" if c.theme else "")
            for c in d.complaints
        ],
    )
    if d.complaints_total > len(d.complaints):
        complaints.note = f"另有 {d.complaints_total - len(d.complaints)} 条负面反馈未列出。"
    s = d.sentiment
    sentiment = Section(
        "六、情感分布",
        table=Table(
            ("情感", "条数", "占比"),
            [
                ("正面", str(s.positive), fmt_pct(s.share("positive"))),
                ("中性", str(s.neutral), fmt_pct(s.share("neutral"))),
                ("负面", str(s.negative), fmt_pct(s.share("negative"))),
            ],
        ),
    )
    c = d.comparison
    comparison = Section(
        f"七、与“{d.category_label}”近期推送对比",
        table=Table(
            ("推送", "发布时间", "评论数", "正面占比", "负面占比", "阅读数"),
            [
                (
                    ("【本次】" if r.is_current else "") + r.title,
                    fmt_time(r.published_at),
                    str(r.comments),
                    fmt_pct(r.positive_share),
                    fmt_pct(r.negative_share),
                    _num(r.reads),
                )
                for r in c.rows
            ],
        ),
    )
    if c.avg_comments is not None:
        comparison.paragraphs.append(
            f"近期平均：评论 {c.avg_comments:.1f} 条，阅读 {c.avg_reads or 0:,.0f}，"
            f"负面占比 {fmt_pct(c.avg_negative_share)}；"
            f"本次评论数 {fmt_signed_pct(c.comments_vs_avg)}，"
            f"阅读数 {fmt_signed_pct(c.reads_vs_avg)}。"
        )
    else:
        comparison.paragraphs.append("本分类暂无可对比的近期推送。")
    keywords = Section(
        "八、高频关键词",
        paragraphs=["、".join(k.term for k in d.keywords) or "—"],
    )
    return [
        Section("一、核心数据", table=numbers),
        Section("二、主要结论", bullets=list(d.findings)),
        themes,
        questions,
        complaints,
        sentiment,
        comparison,
        keywords,
    ]

"""The next pushes: a plan drawn from what customers asked, met and read (pure).

Not a formula over categories: each of the next slots gets one topic idea with its
evidence, chosen in this order of need —

1. **questions** asked more than once or left without a reply (grouped by the taxonomy's
   intent when the digest gives one, else by their normalised text), most askers first;
2. **problems**: complaints that are not about form, and other themes customers raised
   (asks without a recorded question), most mentions first;
3. **most read**: follow-ups of the posts read and shared most, with the praise they got;
4. **rotation**: a category the plan has not placed yet, best engagement first, so the
   plan's five categories stay in view when the period gave nothing else to go on.

A category gets at most two of the six slots while other ideas have evidence, a third
before a category is placed on rotation alone; two slots in a row get different
categories where the ideas allow. Themes about the pushes' *form* (length, timing,
layout) never become topics: they are :class:`FormAdvice`. Every idea says truthfully
whether a post already covered it: the post whose own feedback raised it (a theme from a
post's comments is about that post), a post whose title names it, or the post it follows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from shared.calendar import Slot

from .inputs import CATEGORIES, Category
from .insight import normalise
from .model import (
    AskedQuestion,
    CategoryRow,
    Coverage,
    Evidence,
    FormAdvice,
    PlanSlot,
    PostLine,
    PostRef,
    QuestionLine,
    Recommendations,
    ThemeLine,
    TopicIdea,
)

__all__ = ["MAX_PER_CATEGORY", "PLAN_SLOTS", "plan_next_pushes"]

PLAN_SLOTS = 6
MAX_PER_CATEGORY = 2
MAX_TOPICS = 8
MAX_MOST_READ = 3
_MAX_QUESTIONS = 5
_MAX_QUOTES = 3
_MAX_POSTS = 5  # posts named as evidence or coverage (their total is counted)
_TIERS = {"questions": 0, "problems": 1, "interest": 1, "most_read": 2, "rotation": 3}


def _ref(line: PostLine) -> PostRef:
    return PostRef(
        post_id=line.post_id,
        title=line.title,
        category=line.category,
        reads=line.reads,
        shares=line.shares,
    )


def _order(category: Category) -> int:
    return CATEGORIES.index(category)


@dataclass
class _Group:
    """Questions of one intent (or one text), with the themes of that intent."""

    texts: Counter[str] = field(default_factory=Counter)
    unanswered: Counter[str] = field(default_factory=Counter)
    shown: dict[str, str] = field(default_factory=dict)
    categories: Counter[Category] = field(default_factory=Counter)
    posts: list[str] = field(default_factory=list)
    intent: str | None = None
    label: str | None = None  # the theme merged in, if any
    mentions: int = 0
    quotes: list[str] = field(default_factory=list)
    first: str = ""

    def merge(self, theme: ThemeLine) -> None:
        """Take a theme of the same subject: its mentions, quotes and its posts."""
        self.mentions += theme.count
        self.label = self.label or theme.label
        self.quotes += [q for q in theme.sample_quotes if q not in self.quotes]
        self.posts += [p for p in theme.post_ids if p not in self.posts]

    def about(self, theme: ThemeLine) -> bool:
        """The theme is about these questions: its label, or two of its top terms, are
        in one of them."""
        label = normalise(theme.label)
        terms = [t for t in (normalise(x) for x in theme.terms[:3]) if len(t) >= 2]
        for text in self.texts:
            if len(label) >= 2 and label in text:
                return True
            if sum(t in text for t in terms) >= 2:
                return True
        return False


def _question_groups(questions: Sequence[QuestionLine]) -> dict[str, _Group]:
    groups: dict[str, _Group] = {}
    for q in questions:
        text_key = normalise(q.text) or q.text
        key = f"intent:{q.intent}" if q.intent else f"text:{text_key}"
        g = groups.setdefault(key, _Group(intent=q.intent, first=q.asked_at.isoformat()))
        g.texts[text_key] += 1
        g.unanswered[text_key] += not q.answered
        g.shown.setdefault(text_key, q.text.strip())
        g.categories[q.category] += 1
        if q.post_id not in g.posts:
            g.posts.append(q.post_id)
    return groups


def _by_reach(post_ids: Sequence[str], posts: Mapping[str, PostLine]) -> list[PostLine]:
    lines = [posts[p] for p in post_ids if p in posts]
    return sorted(lines, key=lambda p: (-p.reads, -p.shares, p.post_id))


def _refs(post_ids: Sequence[str], posts: Mapping[str, PostLine]) -> list[PostRef]:
    """The posts named as evidence: the most read first, at most a few."""
    return [_ref(p) for p in _by_reach(post_ids, posts)[:_MAX_POSTS]]


@dataclass
class _Coverage:
    """Which posts covered an idea, worked out only for the ideas the report shows: those
    whose own feedback raised it, then those whose title names it (the most read of
    each, at most a few)."""

    posts: Mapping[str, PostLine]
    titles: dict[str, str] = field(default_factory=dict)
    pending: dict[int, tuple[list[str], list[str]]] = field(default_factory=dict)

    def note(self, idea: TopicIdea, keys: Sequence[str], raised_under: Sequence[str]) -> TopicIdea:
        self.pending[id(idea)] = ([k for k in keys if len(k) >= 2], list(raised_under))
        return idea

    def resolve(self, idea: TopicIdea) -> TopicIdea:
        if id(idea) not in self.pending:
            return idea
        keys, raised = self.pending[id(idea)]
        if not self.titles:
            self.titles = {p: normalise(line.title) for p, line in self.posts.items()}
        own = set(raised)
        out = [Coverage(post=_ref(p), how="own_feedback") for p in _by_reach(raised, self.posts)]
        named = [
            p for p, title in self.titles.items() if p not in own and any(k in title for k in keys)
        ]
        out += [Coverage(post=_ref(p), how="title") for p in _by_reach(named, self.posts)]
        return idea.model_copy(update={"covered_by": out[:_MAX_POSTS]})


def _top(counts: Counter[Category]) -> Category:
    return min(counts, key=lambda c: (-counts[c], _order(c)))


def _question_ideas(
    groups: Mapping[str, _Group], posts: Mapping[str, PostLine], cover: _Coverage
) -> list[TopicIdea]:
    ideas = []
    for g in groups.values():
        order = {k: i for i, k in enumerate(g.texts)}  # first asked first, on a tie
        texts = sorted(g.texts, key=lambda k: (-g.texts[k], order[k]))
        asked, unanswered = sum(g.texts.values()), sum(g.unanswered.values())
        evidence = Evidence(
            questions=[
                AskedQuestion(text=g.shown[k], asked=g.texts[k], unanswered=g.unanswered[k])
                for k in texts[:_MAX_QUESTIONS]
            ],
            asked=asked,
            unanswered=unanswered,
            mentions=g.mentions,
            quotes=g.quotes[:_MAX_QUOTES],
            posts=_refs(g.posts, posts),
            post_count=sum(p in posts for p in g.posts),
        )
        keys = [k for k in (g.intent and normalise(g.intent), texts[0]) if k]
        repeated = asked > 1 or unanswered > 0
        idea = TopicIdea(
            topic=g.shown[texts[0]] if repeated or not g.label else g.label,
            intent=g.intent,
            category=_top(g.categories),
            source="questions" if repeated else "interest",
            evidence=evidence,
            weight=2.0 * asked + 3.0 * unanswered + 0.5 * g.mentions,
        )
        ideas.append(cover.note(idea, keys, g.posts))
    return ideas


def _theme_idea(theme: ThemeLine, posts: Mapping[str, PostLine], cover: _Coverage) -> TopicIdea:
    idea = TopicIdea(
        topic=theme.label,
        intent=theme.intent,
        category=theme.categories[0],
        source="problems" if theme.stance == "complaint" else "interest",
        evidence=Evidence(
            mentions=theme.count,
            quotes=theme.sample_quotes[:_MAX_QUOTES],
            posts=_refs(theme.post_ids, posts),
            post_count=sum(p in posts for p in theme.post_ids),
        ),
        weight=float(theme.count) * (1.5 if theme.stance == "complaint" else 1.0),
    )
    return cover.note(idea, [normalise(theme.label)], theme.post_ids)


def _most_read(lines: Sequence[PostLine], praise: Mapping[str, int]) -> list[TopicIdea]:
    read = [p for p in lines if p.status == "published" and (p.reads or p.shares)]
    read.sort(key=lambda p: (-p.reads, -p.shares, p.post_id))
    by_shares = sorted(read, key=lambda p: (-p.shares, -p.reads, p.post_id))
    chosen: list[PostLine] = []
    for line in [*read[:2], *by_shares[:2]]:
        if line not in chosen and len(chosen) < MAX_MOST_READ:
            chosen.append(line)
    return [
        TopicIdea(
            topic=line.title,
            category=line.category,
            source="most_read",
            evidence=Evidence(praise=praise.get(line.post_id, 0), posts=[_ref(line)], post_count=1),
            covered_by=[Coverage(post=_ref(line), how="same_post")],
            weight=float(line.reads + 5 * line.shares),
        )
        for line in chosen
    ]


def _rotation(rows: Sequence[CategoryRow]) -> list[TopicIdea]:
    ranked = sorted(
        rows,
        key=lambda r: (
            r.metrics.engagement_rate is None,
            -(r.metrics.engagement_rate or 0.0),
            _order(r.category),
        ),
    )
    return [
        TopicIdea(
            topic=r.label,
            category=r.category,
            source="rotation",
            evidence=Evidence(),
            weight=0.0,
        )
        for r in ranked
    ]


def _advice(themes: Sequence[ThemeLine], posts: Mapping[str, PostLine]) -> list[FormAdvice]:
    return [
        FormAdvice(
            label=t.label,
            mentions=t.count,
            stance=t.stance,
            posts=_refs(t.post_ids, posts),
            quotes=t.sample_quotes[:_MAX_QUOTES],
        )
        for t in themes
        if t.about_form and t.count > 0
    ]


def _ideas(
    themes: Sequence[ThemeLine],
    questions: Sequence[QuestionLine],
    posts: Mapping[str, PostLine],
    cover: _Coverage,
) -> list[TopicIdea]:
    groups = _question_groups(questions)
    by_intent = {g.intent: g for g in groups.values() if g.intent}
    theme_ideas = []
    for theme in themes:
        if theme.about_form or theme.count <= 0 or theme.stance == "praise":
            continue
        group = by_intent.get(theme.intent) if theme.intent else None
        if group is None and not theme.intent:
            group = next((g for g in groups.values() if g.about(theme)), None)
        if group is not None:  # the questions of this subject carry the theme's weight
            group.merge(theme)
        else:
            theme_ideas.append(_theme_idea(theme, posts, cover))
    ideas = _question_ideas(groups, posts, cover) + theme_ideas
    ideas.sort(key=lambda i: (_TIERS[i.source], -i.weight, _order(i.category), i.topic))
    return ideas


def _praise(themes: Sequence[ThemeLine]) -> Counter[str]:
    praise: Counter[str] = Counter()
    for t in themes:
        if t.stance == "praise" and not t.about_form and t.post_ids:
            for post_id in t.post_ids:
                praise[post_id] += t.count // len(t.post_ids) or 1
    return praise


def _key(idea: TopicIdea) -> tuple[str, str]:
    return (idea.category if idea.source == "rotation" else "", normalise(idea.topic))


def _fill(candidates: Sequence[TopicIdea], n: int, chosen: list[TopicIdea], cap: int) -> None:
    """Add ideas in order until ``n``, at most ``cap`` a category, a rotation slot only
    for a category not placed yet, never the same idea twice."""
    used = Counter(i.category for i in chosen)
    seen = {_key(i) for i in chosen}
    for idea in candidates:
        if len(chosen) == n:
            return
        if used[idea.category] >= cap or _key(idea) in seen:
            continue
        if idea.source == "rotation" and used[idea.category]:
            continue
        chosen.append(idea)
        used[idea.category] += 1
        seen.add(_key(idea))


def _spread(ideas: list[TopicIdea]) -> list[TopicIdea]:
    """Keep the order of need, but move an idea up past one of the same category."""
    out = list(ideas)
    for i in range(1, len(out)):
        if out[i].category == out[i - 1].category:
            for j in range(i + 1, len(out)):
                if out[j].category != out[i - 1].category:
                    out.insert(i, out.pop(j))
                    break
    return out


def plan_next_pushes(
    *,
    rows: Sequence[CategoryRow],
    posts: Sequence[PostLine],
    themes: Sequence[ThemeLine],
    questions: Sequence[QuestionLine],
    slots: Sequence[Slot],
) -> Recommendations:
    """The plan for ``slots`` (normally the next six), the ranked ideas and form advice."""
    by_id = {p.post_id: p for p in posts if p.status == "published"}
    cover = _Coverage(by_id)
    ideas = _ideas(themes, questions, by_id, cover)
    most_read = _most_read(posts, _praise(themes))
    candidates = [*ideas, *most_read]
    rotation = _rotation(rows)
    n = len(slots)
    chosen: list[TopicIdea] = []
    _fill(candidates, n, chosen, MAX_PER_CATEGORY)
    _fill(candidates, n, chosen, MAX_PER_CATEGORY + 1)  # strong evidence before rotation
    _fill(rotation, n, chosen, 1)
    while rotation and len(chosen) < n:  # more slots than ideas and categories: go round
        chosen += rotation[: n - len(chosen)]
    chosen = _spread(chosen)
    plan = [
        PlanSlot(slot_key=slot.key, at=slot.at, category=idea.category, idea=cover.resolve(idea))
        for slot, idea in zip(slots, chosen, strict=False)
    ]
    return Recommendations(
        plan=plan,
        topics=[cover.resolve(i) for i in candidates[:MAX_TOPICS]],
        advice=_advice(themes, by_id),
    )

"""The report as Markdown, ready for a blog: a heading per day and slot, then each session and what it found.

Everything people typed is escaped, so a title like `*wow*` or `<script>` stays text; links are kept only when
they are http(s), and photos are linked by their absolute address on this site.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import groupby
from urllib.parse import urlsplit

from babel.dates import format_date

from .results_rows import ItemRow, ResultsRows, SessionRow

# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones that can start markup.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~&])")
_LINE_MARKER = re.compile(r"^(\s*)(\d+)([.)])")


def escape_md(text: str) -> str:
    """User text as literal Markdown: markup characters backslash-escaped, line breaks kept as hard breaks."""
    lines = [_LINE_MARKER.sub(r"\1\2\\\3", _SPECIAL.sub(r"\\\1", line)) for line in text.split("\n")]
    return "\\\n".join(lines)


def safe_link(url: str) -> str | None:
    """The link if it is http(s) with a host and nothing that could break out of an autolink, else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in url for c in '<> \n"'):
        return None
    return url


def _time(session: SessionRow) -> str:
    slot = session.topic.slot
    assert slot is not None
    return f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}"


def _item(rows: ResultsRows, item: ItemRow) -> str:
    labels = rows.labels
    parts = [escape_md(item.what)]
    if item.who:
        parts.append(f"{labels['who']}: {escape_md(item.who)}")
    if item.due:
        parts.append(f"{labels['due']}: {item.due.isoformat()}")
    parts.append(f"{labels['status']}: {labels[item.status]}")
    return "- " + " · ".join(parts)


def _text_block(heading: str, text: str) -> Iterator[str]:
    if text:
        yield f"**{heading}**"
        yield ""
        yield escape_md(text)
        yield ""


def _session(rows: ResultsRows, s: SessionRow) -> Iterator[str]:
    labels, topic = rows.labels, s.topic
    assert topic.room is not None
    yield f"#### {escape_md(topic.title)}"
    yield ""
    hosts = ", ".join(escape_md(h) for h in topic.hosts)
    yield f"- {labels['hosts'] if topic.cohosts else labels['host']}: {hosts}"
    yield f"- {labels['room']}: {escape_md(topic.room.name)}, {_time(s)}"
    if s.attendees is not None:
        yield f"- {labels['attendees']}: {s.attendees}"
    yield ""
    yield from _text_block(labels["goal"], topic.goal)
    yield from _text_block(labels["context"], topic.context)
    if s.withheld:
        return
    if not s.documented:
        yield f"*{labels['undocumented']}*"
        yield ""
        return
    yield from _text_block(labels["summary"], s.summary)
    yield from _text_block(labels["insights"], s.insights)
    if s.items:
        yield f"**{labels['action_items']}**"
        yield ""
        yield from (_item(rows, i) for i in s.items)
        yield ""
    links = [link for link in (safe_link(u) for u in s.links) if link]
    if links:
        yield f"**{labels['links']}**"
        yield ""
        yield from (f"- <{link}>" for link in links)
        yield ""
    for n, photo in enumerate(s.photos, 1):
        yield f"![{labels['photo']} {n}]({photo.url})"
        yield ""


def report_md(rows: ResultsRows) -> str:
    """The Markdown report: the event, then per day and slot each session with its result."""
    schedule = rows.schedule
    lines = [f"# {escape_md(schedule.name)}: {rows.labels['report']}", ""]
    if schedule.description:
        lines += [escape_md(schedule.description), ""]
    if schedule.venue:
        lines += [escape_md(schedule.venue), ""]
    lines += [f"<{schedule.event_url}>", ""]
    by_day = groupby(rows.sessions, key=lambda s: s.topic.slot.starts_at.date())  # type: ignore[union-attr]
    for day, day_sessions in by_day:
        lines += [f"## {format_date(day, format='full', locale=schedule.language)}", ""]
        for slot, slot_sessions in groupby(day_sessions, key=lambda s: s.topic.slot):
            label = f" · {escape_md(slot.label)}" if slot.label else ""
            lines += [f"### {slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}{label}", ""]
            for session in slot_sessions:
                lines += list(_session(rows, session))
    return "\n".join(lines).rstrip("\n") + "\n"

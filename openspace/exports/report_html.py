"""The report as one self-contained HTML file (styles inline, photos embedded as data: URIs), and as PDF.

Only what the rows hold is shown: the public report's rows leave hidden results and photos out. Every text is
escaped; links are kept only when they are http(s).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from itertools import groupby

from babel.dates import format_date
from markupsafe import Markup

from .report_md import safe_link
from .results_rows import PhotoRow, ResultsRows, SessionRow

STYLE = Markup("""
body { font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif, "Noto Color Emoji"; color: #1b1b1b;
  max-width: 48rem; margin: 2rem auto;
  padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.8rem; margin-bottom: .3rem; }
h2 { font-size: 1.4rem; border-bottom: 2px solid #1b1b1b; padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1.1rem; color: #444; margin: 1.6rem 0 .4rem; }
article { border-left: 4px solid #2a6f4f; padding: .2rem 0 .2rem 1rem; margin: 1rem 0 1.6rem; }
h2, h3, h4, .label { break-after: avoid; }
tr, figure { break-inside: avoid; }
article h4 { font-size: 1.15rem; margin: .2rem 0 .4rem; }
.meta { color: #444; margin: 0 0 .6rem; padding: 0; list-style: none; }
.label { font-weight: bold; margin: .6rem 0 .1rem; }
.text { white-space: pre-line; margin: 0 0 .4rem; }
.missing { color: #666; font-style: italic; }
table { border-collapse: collapse; width: 100%; margin: .2rem 0 .6rem; font-size: .95rem; }
th, td { border: 1px solid #bbb; padding: .25rem .4rem; text-align: left; vertical-align: top; }
figure { margin: .6rem 0; }
img { max-width: 100%; height: auto; border: 1px solid #ccc; }
@page { size: A4; margin: 18mm 16mm; }
""")


def _data_uri(content_type: str, data: bytes) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def _block(label: str, text: str) -> Iterator[Markup]:
    if text:
        yield Markup('<p class="label">{}</p><p class="text">{}</p>').format(label, text)


PhotoSource = Callable[[PhotoRow], str]


def _embedded(photo: PhotoRow) -> str:
    return _data_uri(photo.content_type, photo.image)


def _session(rows: ResultsRows, s: SessionRow, src: PhotoSource) -> Iterator[Markup]:
    labels, topic = rows.labels, s.topic
    assert topic.room is not None and topic.slot is not None
    yield Markup('<article><h4>{}</h4><ul class="meta">').format(topic.title)
    host_label = labels["hosts"] if topic.cohosts else labels["host"]
    yield Markup("<li>{}: {}</li>").format(host_label, ", ".join(topic.hosts))
    when = f"{topic.slot.starts_at:%H:%M}–{topic.slot.ends_at:%H:%M}"
    yield Markup("<li>{}: {}, {}</li>").format(labels["room"], topic.room.name, when)
    if s.attendees is not None:
        yield Markup("<li>{}: {}</li>").format(labels["attendees"], s.attendees)
    yield Markup("</ul>")
    yield from _block(labels["goal"], topic.goal)
    yield from _block(labels["context"], topic.context)
    if s.withheld:
        yield Markup("</article>")
        return
    if not s.documented:
        yield Markup('<p class="missing">{}</p></article>').format(labels["undocumented"])
        return
    yield from _block(labels["summary"], s.summary)
    yield from _block(labels["insights"], s.insights)
    if s.items:
        yield Markup('<p class="label">{}</p><table><thead><tr>').format(labels["action_items"])
        for key in ("what", "who", "due", "status"):
            yield Markup("<th>{}</th>").format(labels[key])
        yield Markup("</tr></thead><tbody>")
        for i in s.items:
            due = i.due.isoformat() if i.due else ""
            yield Markup("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>").format(
                i.what, i.who, due, labels[i.status]
            )
        yield Markup("</tbody></table>")
    links = [link for link in (safe_link(u) for u in s.links) if link]
    if links:
        yield Markup('<p class="label">{}</p><ul>').format(labels["links"])
        yield from (Markup('<li><a href="{0}" rel="nofollow">{0}</a></li>').format(link) for link in links)
        yield Markup("</ul>")
    for n, photo in enumerate(s.photos, 1):
        yield Markup('<figure><img src="{}" alt="{} {}" width="{}" height="{}"></figure>').format(
            src(photo), labels["photo"], n, photo.width, photo.height
        )
    yield Markup("</article>")


def _body(rows: ResultsRows, src: PhotoSource) -> Iterator[Markup]:
    schedule = rows.schedule
    yield Markup("<h1>{}</h1><p>{}</p>").format(schedule.name, rows.labels["report"])
    if schedule.description:
        yield Markup('<p class="text">{}</p>').format(schedule.description)
    if schedule.venue:
        yield Markup("<p>{}</p>").format(schedule.venue)
    yield Markup('<p><a href="{0}">{0}</a></p>').format(schedule.event_url)
    for day, day_sessions in groupby(rows.sessions, key=lambda s: s.topic.slot.starts_at.date()):  # type: ignore[union-attr]
        yield Markup("<section><h2>{}</h2>").format(format_date(day, format="full", locale=schedule.language))
        for slot, slot_sessions in groupby(day_sessions, key=lambda s: s.topic.slot):
            label = f" · {slot.label}" if slot.label else ""
            yield Markup("<h3>{}–{}{}</h3>").format(f"{slot.starts_at:%H:%M}", f"{slot.ends_at:%H:%M}", label)
            for session in slot_sessions:
                yield from _session(rows, session, src)
        yield Markup("</section>")


def report_html(rows: ResultsRows, src: PhotoSource = _embedded) -> str:
    """The self-contained HTML report: no request leaves the file, photos are inside it (or where `src` says)."""
    schedule = rows.schedule
    head = Markup(
        '<!DOCTYPE html>\n<html lang="{}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>{}: {}</title><style>{}</style></head><body>"
    ).format(schedule.language, schedule.name, rows.labels["report"], STYLE)
    return "".join((head, *_body(rows, src), "</body></html>\n"))


def report_pdf(rows: ResultsRows) -> bytes:
    """The HTML report laid out as PDF by the worker process; the photos travel beside the HTML, not inside it
    (parsing tens of MB of data: URIs would take the worker longer than laying out every page)."""
    from ..pdf import BASE_URL, render_pdf
    from . import off_the_loop

    def path(photo: PhotoRow) -> str:
        return f"/photos/{photo.id}"

    images = {path(p): (p.content_type, p.image) for s in rows.sessions for p in s.photos}
    html = off_the_loop(lambda r: report_html(r, lambda p: BASE_URL.rstrip("/") + path(p)), rows)
    return render_pdf(html, {}, images)

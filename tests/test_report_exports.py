"""Report exports: exact Markdown and action-items CSV, the self-contained HTML, the PDF, downloads and the CLI."""

from __future__ import annotations

import base64
import io
import subprocess

import pytest
from conftest import Organizer, Participant, make_app
from PIL import Image
from sqlalchemy import select
from test_exports import BASE, build_schedule

from openspace.events import event_by_slug
from openspace.exports import FORMATS, export_file
from openspace.extensions import db
from openspace.followup import review_result, update_action_item
from openspace.identity import Actor
from openspace.models import Result
from openspace.photos import add_photo
from openspace.results import save_result

SLUG = "koeln"


def jpeg(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def build_report(app, slug=SLUG):
    """The schedule of test_exports, with results: one documented (two photos, one hidden), one hidden, one empty.

    Returns ({name: id}, organizer secret).
    """
    ids, secret = build_schedule(app, slug)
    with app.app_context():
        event = event_by_slug(slug)
        orga = Actor(organizer_of=frozenset({event.id}))
        saved, _change = save_result(
            event,
            actor=orga,
            topic_id=ids["greeting"],
            data={
                "version": 0,
                "summary": "Erst die Größentabelle.\n*Nicht* fett_ [x](http://x.example) # 1. Punkt",
                "insights": "Kunden 🙂 a < b > c & d",
                "attendees": 12,
                "links": ["https://example.org/a_b?x=1&y=2", "http://pad.example.org/k%C3%B6ln"],
                "action_items": [
                    {"what": '=HYPERLINK("http://evil.example","klick")', "who": "Jürgen", "due": "2026-03-01"},
                    {"what": "Protokoll teilen 📝", "who": "", "due": None},
                ],
            },
        )
        ids["item_formula"], ids["item_share"] = (item["id"] for item in saved["action_items"])
        update_action_item(
            event,
            actor=orga,
            item_id=ids["item_formula"],
            data={"status": "in_progress", "owner": "Zoë", "note": "+49 anrufen"},
        )
        ids["photo_shown"] = add_photo(event, actor=orga, topic_id=ids["greeting"], data=jpeg("red"))[0]["id"]
        ids["photo_hidden"] = add_photo(event, actor=orga, topic_id=ids["greeting"], data=jpeg("blue"))[0]["id"]
        from openspace.photos import hide_photo

        hide_photo(event, actor=orga, topic_id=ids["greeting"], photo_id=ids["photo_hidden"], data={"hidden": True})
        save_result(
            event,
            actor=orga,
            topic_id=ids["formula"],
            data={
                "version": 0,
                "summary": "Geheimer Stand",
                "action_items": [{"what": "-intern klären", "who": "@team", "due": None}],
            },
        )
        review_result(event, actor=orga, topic_id=ids["formula"], data={"state": "reviewed", "hidden": True})
        # Markup is refused on saving; an older or imported text may still hold some: exports escape it anyway.
        result = db.session.scalar(select(Result).where(Result.topic_id == ids["greeting"]))
        result.insights += "\n<script>alert(1)</script>"
        db.session.commit()
        db.session.remove()
    return ids, secret


def render(app, fmt, slug=SLUG):
    with app.app_context():
        return export_file(FORMATS[fmt], event_by_slug(slug), base_url=BASE)


# The expected text: each line of the Markdown report (photo ids: 1 shown, 2 hidden).
REPORT_MD = (
    "# Zukunft Köln 🎉: Report",
    "",
    "<https://os.example.org/e/koeln/>",
    "",
    "## Friday, February 27, 2026",
    "",
    "### 09:00–09:50 · Runde 1",
    "",
    "#### Grüße aus Köln 🎉",
    "",
    "- Hosts: Jürgen Öztürk, Zoë",
    "- Room: Raum Köln, 09:00–09:50",
    "- Attendees: 12",
    "",
    "**Goal**",
    "",
    "Mehr Öffentlichkeit – für alle",
    "",
    "**Context**",
    "",
    "Läuft seit 2025\\",
    "zweite Zeile",
    "",
    "**Summary**",
    "",
    "Erst die Größentabelle\\.\\",
    "\\*Nicht\\* fett\\_ \\[x\\]\\(http://x\\.example\\) \\# 1\\. Punkt",
    "",
    "**Key insights**",
    "",
    "Kunden 🙂 a \\< b \\> c \\& d\\",
    "\\<script\\>alert\\(1\\)\\</script\\>",
    "",
    "**Action items**",
    "",
    '- =HYPERLINK\\("http://evil\\.example","klick"\\) · Who: Jürgen · Due: 2026-03-01 · Status: in progress',
    "- Protokoll teilen 📝 · Status: open",
    "",
    "**Links**",
    "",
    "- <https://example.org/a_b?x=1&y=2>",
    "- <http://pad.example.org/k%C3%B6ln>",
    "",
    "![Photo 1](https://os.example.org/e/koeln/photos/1.jpg)",
    "",
    "#### =SUM\\(A1\\)",
    "",
    "- Host: \\+1 Anna",
    "- Room: Großer Saal, 09:00–09:50",
    "",
    "**Goal**",
    "",
    "\\-x",
    "",
    "**Context**",
    "",
    "@cmd",
    "",
    "### 10:00–10:50 · Runde 2",
    "",
    "#### \\+1",
    "",
    "- Host: Bob",
    "- Room: Raum Köln, 10:00–10:50",
    "",
    "*Not documented yet.*",
    "",
    "## Saturday, February 28, 2026",
    "",
    "### 10:00–11:30",
    "",
    '#### Tschüss, Café; "Zitat"',
    "",
    "- Host: Eva",
    "- Room: Großer Saal, 10:00–11:30",
    "",
    "*Not documented yet.*",
)


def test_report_md_exact_text(app):
    build_report(app)

    text = render(app, "md").decode("utf-8")

    assert text == "\n".join(REPORT_MD) + "\n"


def test_report_md_escapes_markup_and_keeps_only_web_links(app):
    from openspace.exports.report_md import escape_md, safe_link

    assert escape_md("*a* _b_ [c](d) #e <f> `g` \\h\n1. i") == (
        "\\*a\\* \\_b\\_ \\[c\\]\\(d\\) \\#e \\<f\\> \\`g\\` \\\\h\\\n1\\. i"
    )
    assert [safe_link(u) for u in ("https://a.example/x", "javascript:alert(1)", "ftp://a.example", "http://")] == [
        "https://a.example/x",
        None,
        None,
        None,
    ]


def test_action_items_csv_exact_text_neutralised(app):
    build_report(app)

    text = render(app, "actions-csv").decode("utf-8")

    assert text == (
        "\ufeffevent,session,what,who,due,status,owner,note\r\n"
        'Zukunft Köln 🎉,Grüße aus Köln 🎉,"\'=HYPERLINK(""http://evil.example"",""klick"")",'
        "Jürgen,2026-03-01,in_progress,Zoë,'+49 anrufen\r\n"
        "Zukunft Köln 🎉,Grüße aus Köln 🎉,Protokoll teilen 📝,,,open,,\r\n"
        "Zukunft Köln 🎉,'=SUM(A1),'-intern klären,'@team,,open,,\r\n"
    )


def test_report_html_escapes_embeds_shown_photo_and_leaves_hidden_out(app):
    ids, _secret = build_report(app)
    with app.app_context():
        from openspace.models import Photo

        shown, hidden = (db.session.get(Photo, ids[key]) for key in ("photo_shown", "photo_hidden"))
        shown_uri = "data:image/jpeg;base64," + base64.b64encode(shown.image).decode()
        hidden_uri = "data:image/jpeg;base64," + base64.b64encode(hidden.image).decode()

    html = render(app, "html").decode("utf-8")

    assert html.startswith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'<img src="{shown_uri}" alt="Photo 1" width="40" height="30">' in html
    assert hidden_uri not in html and html.count("<img ") == 1
    assert "Geheimer Stand" not in html and "intern klären" not in html  # the hidden result
    assert "<h4>=SUM(A1)</h4>" in html  # its session is still in the schedule
    assert '<a href="https://example.org/a_b?x=1&amp;y=2" rel="nofollow">' in html


def test_report_pdf_is_a_pdf_with_the_session_titles(tmp_path):
    app = make_app(tmp_path)  # SQLite only: one render is enough, the PDF does not depend on the database
    build_report(app)

    pdf = render(app, "pdf")

    assert pdf.startswith(b"%PDF")
    (tmp_path / "report.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, check=True).stdout
    words = " ".join(text.decode("utf-8").split())
    for title in ("Grüße aus Köln 🎉", "=SUM(A1)", "+1", 'Tschüss, Café; "Zitat"'):
        assert title.replace(" 🎉", "") in words
    assert "Geheimer Stand" not in words


NAMES = ("report.md", "report.html", "action-items.csv", "event.json")


@pytest.mark.parametrize("name", [*NAMES, "report.pdf"])
def test_report_downloads_refused_for_participants_and_outsiders(app, name):
    _ids, _secret = build_report(app)
    participant = Participant(app, SLUG)
    outsider = app.test_client()

    assert participant.client.get(f"/e/{SLUG}/export/{name}").status_code == 403
    assert outsider.get(f"/e/{SLUG}/export/{name}").status_code == 403


def test_report_downloads_equal_the_cli(app, tmp_path):
    _ids, secret = build_report(app)
    app.config["PUBLIC_URL"] = BASE
    organizer = Organizer(app, SLUG, secret)
    runner = app.test_cli_runner()
    types = {
        "md": "text/markdown; charset=utf-8",
        "html": "text/html; charset=utf-8",
        "actions-csv": "text/csv; charset=utf-8",
        "json": "application/json; charset=utf-8",
    }
    for fmt, content_type in types.items():
        name = FORMATS[fmt].name
        output = tmp_path / name
        result = runner.invoke(args=["export", SLUG, "--format", fmt, "--output", str(output)])
        assert result.exit_code == 0, result.output

        response = organizer.client.get(f"/e/{SLUG}/export/{name}")

        assert response.status_code == 200
        assert response.headers["Content-Type"] == content_type
        assert response.headers["Content-Disposition"] == f'attachment; filename="{SLUG}-{name}"'
        assert response.data == output.read_bytes()


def test_exports_rendered_in_the_thread_pool_are_the_same(app, monkeypatch):
    build_report(app)
    inline = {fmt: render(app, fmt) for fmt in ("md", "html", "actions-csv", "json", "ics")}
    import openspace.exports

    monkeypatch.setattr(openspace.exports.monkey, "is_module_patched", lambda _name: True)

    assert {fmt: render(app, fmt) for fmt in inline} == inline

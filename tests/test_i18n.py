"""The German catalogue is complete and current, templates carry no untranslated text, placeholders survive."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "openspace" / "translations"
POT = TRANSLATIONS / "messages.pot"
GERMAN = TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po"
ENGLISH = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
TEMPLATES = ROOT / "templates"

# Visible template text that needs no translation: language names shown in their own language, and punctuation.
ALLOWED_TEXT = frozenset({"Deutsch", "English", "–", "—", "·", "+", "|", "/", "(", ")", "()", ":", "…"})

# Attributes whose values a person sees or hears (tooltip, placeholder, alternative text, accessible name).
VISIBLE_ATTRIBUTES = frozenset({"alt", "title", "placeholder", "aria-label", "aria-description"})

JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
BLOCK_START = re.compile(r"\{%-?\s*block\s+(\w+)")
LETTER = re.compile(r"[^\W\d_]")
PLACEHOLDER = re.compile(r"%\(([^)]*)\)[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")


def load(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def msgids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id for message in catalog if message.id}


def texts(message_id: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if not message_id:
        return ()
    return (message_id,) if isinstance(message_id, str) else tuple(message_id)


def placeholders(strings: tuple[str, ...]) -> set[str]:
    return {match.group(0) for text in strings for match in PLACEHOLDER.finditer(text)}


class VisibleText(HTMLParser):
    """Collects text data and visible attribute values, skipping script and style contents."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip_depth += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value and value.strip():
                self.found.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip_depth and data.strip():
            self.found.append(data.strip())


def test_german_catalogue_complete(tmp_path):
    template = load(POT)
    german = load(GERMAN)
    assert msgids(template), "messages.pot holds no messages"

    problems = []
    for message_id in sorted(msgids(template), key=str):
        translated = german.get(message_id)
        if translated is None:
            problems.append(f"missing: {message_id!r}")
        elif translated.fuzzy:
            problems.append(f"fuzzy: {message_id!r}")
        elif not all(texts(translated.string)):
            problems.append(f"empty: {message_id!r}")
    assert problems == [], "German catalogue incomplete:\n" + "\n".join(problems)
    assert msgids(german) == msgids(template), "de/messages.po holds messages that are not in messages.pot"

    fresh = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [
            str(pybabel),
            "--quiet",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--sort-output",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    extracted = msgids(load(fresh))
    committed = msgids(template)
    assert extracted == committed, (
        "messages.pot is out of date; run `make update-messages` and translate.\n"
        f"new in the sources: {sorted(extracted - committed, key=str)}\n"
        f"gone from the sources: {sorted(committed - extracted, key=str)}"
    )


def test_english_catalogue_exists_with_the_same_messages():
    assert msgids(load(ENGLISH)) == msgids(load(POT))


def attribute_blocks(sources: list[str]) -> set[str]:
    """Names of Jinja blocks opened inside an HTML tag (like `<body class="{% block body_class %}`)."""
    names = set()
    for source in sources:
        for match in BLOCK_START.finditer(source):
            before = source[: match.start()]
            if before.rfind("<") > before.rfind(">"):
                names.add(match.group(1))
    return names


def without_blocks(source: str, names: set[str]) -> str:
    """Drops the contents of the named blocks: they end up in attribute values, not in visible text."""
    for name in names:
        block = re.compile(
            r"\{%-?\s*block\s+" + re.escape(name) + r"\b.*?\{%-?\s*endblock\b.*?%\}",
            re.DOTALL,
        )
        source = block.sub("", source)
    return source


def test_templates_have_no_untranslated_text():
    paths = sorted(TEMPLATES.rglob("*.html"))
    assert paths, "no templates found"
    sources = {path: path.read_text(encoding="utf-8") for path in paths}
    in_attributes = attribute_blocks(list(sources.values()))
    offending = []
    for path, source in sources.items():
        parser = VisibleText()
        parser.feed(JINJA.sub("", without_blocks(source, in_attributes)))
        parser.close()
        for text in parser.found:
            if LETTER.search(text) and text not in ALLOWED_TEXT:
                offending.append(f"{path.relative_to(ROOT)}: {text!r}")
    assert offending == [], "untranslated text in templates:\n" + "\n".join(offending)


def test_placeholders_match():
    german = load(GERMAN)
    mismatched = []
    for message in german:
        if not message.id:
            continue
        expected = placeholders(texts(message.id))
        for translation in texts(message.string):
            found = placeholders((translation,))
            if found != expected:
                mismatched.append(f"{message.id!r}: expected {sorted(expected)}, German has {sorted(found)}")
    assert mismatched == [], "placeholders differ:\n" + "\n".join(mismatched)

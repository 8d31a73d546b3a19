"""Command-line tools: `flask --app wsgi demo`, `create-event`, `export` and `import`."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask import Flask, current_app

from .demo import create_demo_event
from .errors import DomainError
from .events import create_event, event_by_slug, parse_rooms, parse_slots, reset_organizer_secret
from .exports import FORMATS, export_file
from .exports.importer import ImportProblem, import_event
from .views.pages import lan_address, phones_cannot_reach


def _base_url() -> str:
    config = current_app.config
    return config.get("PUBLIC_URL") or f"http://{config['HOST']}:{config['PORT']}"


def print_links(slug: str, secret: str | None) -> None:
    """Print the participant, wall and organizer links of an event."""
    base = _base_url()
    click.echo(f"  Participants (phone):  {base}/e/{slug}/")
    click.echo(f"  Wall (projector):      {base}/e/{slug}/wall")
    if secret:
        click.echo(f"  Organizer (keep safe): {base}/e/{slug}/organize/{secret}")
    if phones_cannot_reach(base):
        lan = lan_address() or "<this-computer's-address>"
        click.echo(
            f"  Note: phones cannot open {base} (it means this computer). For the venue Wi-Fi start with\n"
            f"        HOST=0.0.0.0 PUBLIC_URL=http://{lan}:{current_app.config['PORT']} make run"
        )


def register_cli(app: Flask) -> None:
    """Attach the commands to the app."""

    @app.cli.command("demo")
    def demo_command() -> None:
        """Create the demo event (slug `demo`) unless it exists, and print its three links."""
        created = create_demo_event()
        if created is None:
            event = event_by_slug("demo")
            secret = reset_organizer_secret(event)
            click.echo(f"The demo event “{event.name}” is ready (its organizer link is new each time):")
        else:
            event, secret = created
            click.echo(f"Created the demo event “{event.name}”:")
        print_links(event.slug, secret)

    @app.cli.command("create-event")
    @click.option("--name", required=True, help="Name of the event.")
    @click.option("--slug", default=None, help="Address part, e.g. zukunft-2026 (default: from the name).")
    @click.option("--starts-on", "starts_on", type=click.DateTime(["%Y-%m-%d"]), required=True)
    @click.option("--ends-on", "ends_on", type=click.DateTime(["%Y-%m-%d"]), default=None)
    @click.option("--timezone", default="Europe/Berlin", show_default=True)
    @click.option("--language", type=click.Choice(["de", "en"]), default="de", show_default=True)
    @click.option("--room", "rooms", multiple=True, required=True, help="`Name | capacity | location`, repeatable.")
    @click.option(
        "--slot",
        "slots",
        multiple=True,
        required=True,
        help="`[YYYY-MM-DD] HH:MM-HH:MM [label] [Pause]`, repeatable; [Pause] marks a break.",
    )
    @click.option(
        "--max-topics-per-participant",
        "cap",
        type=click.IntRange(0, 100),
        default=None,
        help="Topics one participant may pin (0: no limit; default: MAX_TOPICS_PER_PARTICIPANT, 3).",
    )
    def create_event_command(name, slug, starts_on, ends_on, timezone, language, rooms, slots, cap) -> None:  # noqa: ANN001
        """Create an event and print its links, including the organizer link (shown only now)."""
        first_day: date = starts_on.date()
        try:
            event, secret = create_event(
                name=name,
                slug=slug,
                starts_on=first_day,
                ends_on=ends_on.date() if ends_on else None,
                timezone=timezone,
                language=language,
                rooms=parse_rooms("\n".join(rooms)),
                slots=parse_slots("\n".join(slots), first_day),
                max_topics_per_participant=current_app.config["MAX_TOPICS_PER_PARTICIPANT"] if cap is None else cap,
            )
        except (ValueError, DomainError) as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Created “{event.name}”:")
        print_links(event.slug, secret)

    @app.cli.command("export")
    @click.argument("slug")
    @click.option("--format", "format_", type=click.Choice(list(FORMATS)), required=True, help="What to write.")
    @click.option("--output", type=click.Path(dir_okay=False), default=None, help="File to write (default: stdout).")
    def export_command(slug: str, format_: str, output: str | None) -> None:
        """Write one export of an event, byte for byte what its organizers download (links on PUBLIC_URL)."""
        try:
            event = event_by_slug(slug)
        except DomainError:
            raise click.ClickException(f"No event with the slug “{slug}”.") from None
        try:
            data = export_file(FORMATS[format_], event, base_url=_base_url())
        except DomainError as error:  # the PDF worker is missing or too slow
            raise click.ClickException(error.message) from None
        if output is None:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)  # bytes as they are: the CSV's and calendar's CRLF stay CRLF
            sys.stdout.buffer.flush()
        else:
            try:
                with open(output, "wb") as file:
                    file.write(data)
            except OSError as error:
                raise click.ClickException(f"Cannot write {output}: {error.strerror}.") from None

    @app.cli.command("import")
    @click.argument("file", type=click.File("rb"))
    @click.option("--slug", default=None, help="Slug of the imported event (default: the one in the file).")
    @click.option("--replace", is_flag=True, help="Replace the event with that slug, if there is one.")
    def import_command(file, slug: str | None, replace: bool) -> None:  # noqa: ANN001
        """Import an event.json export as a new event (new ids, new organizer link); a bad file changes nothing."""
        try:
            imported = import_event(file.read(), slug=slug, replace=replace)
        except ImportProblem as error:
            raise click.ClickException(f"Nothing was imported: {error}") from None
        click.echo(f"Imported “{imported.slug}”:")
        print_links(imported.slug, imported.secret)

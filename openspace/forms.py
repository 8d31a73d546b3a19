"""HTML forms (Flask-WTF gives them CSRF protection)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from .events import LANGUAGES
from .models import NAME_MAX, VENUE_MAX

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
DEFAULT_ROOMS = "Plenum | 100\nRaum A | 25\nRaum B | 25\nRaum C | 20"
DEFAULT_SLOTS = "10:00-11:00\n11:15-12:15\n12:15-13:30 Mittagessen [Pause]\n13:30-14:30\n14:45-15:45"


class EventForm(FlaskForm):
    """Everything needed to open an event's wall."""

    password = PasswordField(_l("Password for creating events"), validators=[Optional(), Length(max=200)])
    name = StringField(_l("Name of the event"), validators=[DataRequired(), Length(max=NAME_MAX)])
    slug = StringField(
        _l("Short address (optional)"),
        validators=[
            Optional(),
            Length(max=48),
            Regexp(r"^[a-z0-9-]+$", message=_l("Lowercase letters, digits and hyphens only.")),
        ],
    )
    venue = StringField(_l("Venue (optional)"), validators=[Optional(), Length(max=VENUE_MAX)])
    starts_on = DateField(_l("First day"), validators=[DataRequired()], default=date.today)
    ends_on = DateField(_l("Last day (optional)"), validators=[Optional()])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)], default="Europe/Berlin")
    language = SelectField(
        _l("Language of the wall"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        default="de",
    )
    rooms = TextAreaField(
        _l("Rooms, one per line: Name | capacity | location"),
        validators=[DataRequired(), Length(max=8000)],
        default=DEFAULT_ROOMS,
    )
    slots = TextAreaField(
        _l(
            "Time slots, one per line: 09:30-10:15 Label (a line may start with a date: 2026-03-01 09:30-10:15;"
            " end a break such as lunch with [Pause])"
        ),
        validators=[DataRequired(), Length(max=8000)],
        default=DEFAULT_SLOTS,
    )

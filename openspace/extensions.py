"""Flask extensions, created unbound and bound to an app in create_app()."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from . import ratelimit_storage  # noqa: F401 - registers openspace-memory://

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with constraint names that migrations can rely on."""

    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
socketio = SocketIO()
csrf = CSRFProtect()
migrate = Migrate()


def _participant_or_address() -> str:
    """Rate-limit key: the participant (a venue's phones share one NAT address), else the address."""
    from .views.people import rate_limit_key

    return rate_limit_key()


limiter = Limiter(key_func=_participant_or_address)

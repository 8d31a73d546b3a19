"""Flipchart photos of a result: checked, re-encoded and kept in the database (so every process serves them).

An upload is re-encoded with Pillow before anything is stored: its orientation applied, every metadata block
(EXIF with GPS, XMP, comments) dropped, the longest side at most 2,000 px, plus a thumbnail. Its size is checked
before it is decoded, its pixel count before its pixels are (a small PNG can unpack to gigabytes).
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from flask_babel import gettext as _
from gevent import get_hub, monkey
from PIL import Image, ImageOps
from sqlalchemy import func, select

from .activity import log_step
from .database import write_transaction
from .errors import DomainError
from .extensions import db
from .fields import valid_id
from .identity import Actor
from .models import Event, Photo, Result, Topic
from .results import contributor_role, live_topic, photo_urls, result_change, result_row
from .wall import Change, bump_revision

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTOS_PER_RESULT = 6
PIXELS_MAX = 40_000_000  # a 40 MP phone camera; more is refused before decoding
LONGEST_SIDE = 2000
THUMB_SIDE = 400
JPEG_QUALITY = 85
FORMATS = ("JPEG", "MPO", "PNG", "WEBP")  # MPO: a phone's JPEG with a second, depth or preview, image in it

Image.MAX_IMAGE_PIXELS = PIXELS_MAX  # Pillow's own guard, for any decoding outside prepare_photo as well


@dataclass(frozen=True)
class Prepared:
    """A photo ready to store: JPEG bytes of the image and its thumbnail, and the image's size."""

    image: bytes
    thumb: bytes
    width: int
    height: int


def _not_an_image() -> DomainError:
    return DomainError(
        "invalid",
        _("This file is not a photo we can read (JPEG, PNG or WebP)."),
        fields={"photo": _("Not a JPEG, PNG or WebP image.")},
    )


def _too_many_pixels() -> DomainError:
    return DomainError(
        "invalid",
        _("This image has too many pixels (at most 40 megapixels)."),
        fields={"photo": _("At most 40 megapixels.")},
    )


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)  # no exif=, xmp= or comment=: nothing of the original
    return out.getvalue()


def _reencode(data: bytes) -> Prepared | str:
    """Decode, turn upright, shrink and re-encode; or why not ("format", "pixels"). Pure: no app context needed."""
    try:
        with Image.open(BytesIO(data)) as opened:  # reads the header only
            if opened.format not in FORMATS:
                return "format"
            width, height = opened.size
            if width * height > PIXELS_MAX or width < 1 or height < 1:
                return "pixels"
            opened.draft("RGB", (LONGEST_SIDE, LONGEST_SIDE))  # JPEG: decode at a reduced scale, faster
            upright = ImageOps.exif_transpose(opened)
            upright.load()
        return _shrunk(upright)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # Pillow's own guard, when opening
        return "pixels"
    except Exception:  # a malformed upload makes decoders raise nearly anything: it is no photo we can read
        return "format"


def _shrunk(upright: Image.Image) -> Prepared:
    """The photo at most LONGEST_SIDE and its thumbnail, as JPEG, transparency on white, no metadata."""
    transparent = upright.mode in {"RGBA", "LA", "P", "PA"}
    image = upright.convert("RGBA" if transparent else "RGB")
    image.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)  # shrink first: less memory after
    if transparent:
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    image.info.clear()
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Prepared(_jpeg(image, JPEG_QUALITY), _jpeg(thumb, 80), image.width, image.height)


def _off_the_loop(data: bytes) -> Prepared | str:
    """Under gevent, re-encode in its thread pool (Pillow releases the GIL), so other clients are not held up."""
    if not monkey.is_module_patched("threading"):
        return _reencode(data)
    return get_hub().threadpool.apply(_reencode, (data,))


def prepare_photo(data: bytes) -> Prepared:
    """Check and re-encode an upload; refuses (422) what is too large, not an image, or a decompression bomb."""
    if len(data) > PHOTO_MAX_BYTES:
        raise DomainError("too_large", _("A photo may have at most 10 MB."), fields={"photo": _("At most 10 MB.")})
    prepared = _off_the_loop(data)
    if prepared == "pixels":
        raise _too_many_pixels()
    if isinstance(prepared, str):
        raise _not_an_image()
    return prepared


def _photo_count(result_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Photo).where(Photo.result_id == result_id))


def _too_many() -> DomainError:
    return DomainError(
        "invalid",
        _("A result has at most %(max)d photos. Remove one to add another.", max=PHOTOS_PER_RESULT),
        fields={"photo": _("At most %(max)d photos.", max=PHOTOS_PER_RESULT)},
    )


def add_photo(event: Event, *, actor: Actor, topic_id: Any, data: bytes) -> tuple[dict[str, Any], Change]:
    """Add a photo to a session's result (anyone who may document it); nothing is stored when it is refused."""
    event_id = event.id
    topic = live_topic(event_id, topic_id)
    contributor_role(event_id, actor, topic)  # the same rule as for saving a result
    existing = db.session.scalar(select(Result.id).where(Result.topic_id == topic.id))
    if existing is not None and _photo_count(existing) >= PHOTOS_PER_RESULT:
        raise _too_many()  # before the work of decoding
    prepared = prepare_photo(data)
    with write_transaction():
        db.session.execute(select(Event.id).where(Event.id == event_id).with_for_update())  # uploads take turns
        topic = live_topic(event_id, topic_id)
        result = result_row(topic)
        if _photo_count(result.id) >= PHOTOS_PER_RESULT:
            raise _too_many()
        photo = Photo(
            result_id=result.id,
            event_id=event_id,
            image=prepared.image,
            thumb=prepared.thumb,
            content_type="image/jpeg",
            width=prepared.width,
            height=prepared.height,
            hidden=False,
        )
        db.session.add(photo)
        db.session.flush()
        revision = bump_revision(event_id)  # the event is locked since the transaction's first statement
        log_step(event_id, actor=actor, action="photo_add", revision=revision, topic_id=topic.id)
        shown = photo_urls(event.slug, photo.id)
        change = photos_change(event_id, revision, topic, result)
    return shown, change


def photos_change(event_id: int, revision: int, topic: Topic, result: Result) -> Change:
    """The delta of a result whose photos changed: its mark plus the ids of the photos everyone may see, so a
    topic page open elsewhere shows the new set (and the page that made the change sees nothing new)."""
    visible = db.session.scalars(
        select(Photo.id).where(Photo.result_id == result.id, Photo.hidden.is_(False)).order_by(Photo.id)
    )
    change = result_change(event_id, revision, topic, result)
    change.parts["result"]["photos"] = list(visible)
    return change


def _photo_of(event_id: int, topic_id: int, photo_id: Any) -> Photo:
    photo = db.session.get(Photo, photo_id) if valid_id(photo_id) is not None else None
    if photo is not None and photo.event_id == event_id:
        result_topic = db.session.scalar(select(Result.topic_id).where(Result.id == photo.result_id))
        if result_topic == topic_id:
            return photo
    raise DomainError("not_found", _("This photo does not exist (any more)."))


def delete_photo(event: Event, *, actor: Actor, topic_id: Any, photo_id: Any) -> Change:
    """Remove a photo for good (the session's host or an organizer)."""
    with write_transaction():
        revision = bump_revision(event.id)  # first: on PostgreSQL it locks the event, so changes take turns
        topic = live_topic(event.id, topic_id)
        if not (actor.is_organizer(event.id) or actor.owns(topic.author_hash)):
            raise DomainError("forbidden", _("Only the session's host or the organizers can remove a photo."))
        photo = _photo_of(event.id, topic.id, photo_id)
        result = db.session.get(Result, photo.result_id)
        db.session.delete(photo)
        db.session.flush()
        log_step(event.id, actor=actor, action="photo_delete", revision=revision, topic_id=topic.id)
        change = photos_change(event.id, revision, topic, result)
    return change


def hide_photo(event: Event, *, actor: Actor, topic_id: Any, photo_id: Any, data: Any) -> tuple[dict[str, Any], Change]:
    """Hide a photo from the public report and everyone but the organizers, or show it again (organizers)."""
    actor.require_organizer(event.id)
    if not isinstance(data, dict) or set(data) != {"hidden"} or not isinstance(data["hidden"], bool):
        raise DomainError(
            "invalid", _("Please check the marked fields."), fields={"hidden": _("Must be true or false.")}
        )
    with write_transaction():
        revision = bump_revision(event.id)  # first: on PostgreSQL it locks the event, so changes take turns
        topic = live_topic(event.id, topic_id)
        photo = _photo_of(event.id, topic.id, photo_id)
        photo.hidden = data["hidden"]
        db.session.flush()
        action = "photo_hide" if photo.hidden else "photo_show"
        log_step(event.id, actor=actor, action=action, revision=revision, topic_id=topic.id)
        shown = {**photo_urls(event.slug, photo.id), "hidden": photo.hidden}
        change = photos_change(event.id, revision, topic, db.session.get(Result, photo.result_id))
    return shown, change


def photo_file(event: Event, *, actor: Actor, photo_id: Any, thumb: bool) -> tuple[bytes, str]:
    """The bytes and content type of a photo (or its thumbnail); hidden ones, or those of a topic no longer on
    the wall, only for organizers."""
    if valid_id(photo_id) is None:
        raise DomainError("not_found", _("This photo does not exist (any more)."))
    row = db.session.execute(
        select(Photo.id, Photo.hidden, Photo.content_type, Topic.status)
        .join(Result, Result.id == Photo.result_id)
        .join(Topic, Topic.id == Result.topic_id)
        .where(Photo.id == photo_id, Photo.event_id == event.id)
    ).first()
    if row is None or ((row.hidden or row.status != "live") and not actor.is_organizer(event.id)):
        raise DomainError("not_found", _("This photo does not exist (any more)."))
    column = Photo.thumb if thumb else Photo.image
    return db.session.scalar(select(column).where(Photo.id == photo_id)), row.content_type

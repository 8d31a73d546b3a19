"""Results over JSON (documented in docs/api.md) and the photos they show."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _

from ..broadcast import announce
from ..errors import DomainError
from ..followup import review_result, update_action_item
from ..photos import PHOTO_MAX_BYTES, add_photo, delete_photo, hide_photo, photo_file
from ..results import get_result, history, save_result
from .api import _event, _json_body, write_limits
from .people import current_actor

bp = Blueprint("results", __name__)

RESULT = "/api/events/<slug>/topics/<id:topic_id>/result"
UPLOAD_MAX = PHOTO_MAX_BYTES + 64 * 1024  # the photo and the multipart form around it


def allow_photo_upload() -> None:
    """Before CSRF reads the form: a photo upload may be larger than other requests (checked before decoding)."""
    if request.endpoint == "results.upload_photo":
        request.max_content_length = UPLOAD_MAX


@bp.get(RESULT)
def show(slug: str, topic_id: int) -> Response:
    """A session's result (version 0 and empty fields before its first save)."""
    event = _event(slug)
    return jsonify(get_result(event, topic_id=topic_id, actor=current_actor()))


@bp.put(RESULT)
@write_limits
def save(slug: str, topic_id: int) -> Response:
    """Save a new version; 409 with the current result when someone saved since the version sent."""
    event = _event(slug)
    result, change = save_result(event, actor=current_actor(), topic_id=topic_id, data=_json_body())
    announce(change)
    return jsonify(result)


@bp.get(f"{RESULT}/history")
def versions(slug: str, topic_id: int) -> Response:
    """Every saved version, newest first, with who (host, participant, organizer) and when."""
    event = _event(slug)
    return jsonify({"versions": history(event, topic_id=topic_id)})


@bp.post(f"{RESULT}/photos")
@write_limits
def upload_photo(slug: str, topic_id: int) -> tuple[Response, int]:
    """Add a photo (multipart field `photo`): 201; 413 too large, 422 not an image or too many."""
    event = _event(slug)
    upload = request.files.get("photo")
    if upload is None:
        raise DomainError("invalid", _("Choose a photo to upload."), fields={"photo": _("Required.")})
    data = upload.stream.read(PHOTO_MAX_BYTES + 1)
    photo, change = add_photo(event, actor=current_actor(), topic_id=topic_id, data=data)
    announce(change)
    return jsonify(photo), 201


@bp.delete(f"{RESULT}/photos/<id:photo_id>")
@write_limits
def remove_photo(slug: str, topic_id: int, photo_id: int) -> Response:
    """Remove a photo (the session's host or an organizer)."""
    event = _event(slug)
    announce(delete_photo(event, actor=current_actor(), topic_id=topic_id, photo_id=photo_id))
    return jsonify({"ok": True})


@bp.patch(f"{RESULT}/photos/<id:photo_id>")
@write_limits
def mark_photo(slug: str, topic_id: int, photo_id: int) -> Response:
    """Hide a photo from everyone but the organizers ({"hidden": true}) or show it again (organizers)."""
    event = _event(slug)
    shown, change = hide_photo(event, actor=current_actor(), topic_id=topic_id, photo_id=photo_id, data=_json_body())
    announce(change)
    return jsonify(shown)


@bp.post(f"{RESULT}/review")
@write_limits
def review(slug: str, topic_id: int) -> Response:
    """Mark a result reviewed or documented, and hide it from the public report or show it (organizers)."""
    event = _event(slug)
    result, change = review_result(event, actor=current_actor(), topic_id=topic_id, data=_json_body())
    announce(change)
    return jsonify(result)


@bp.patch("/api/events/<slug>/action-items/<id:item_id>")
@write_limits
def track_item(slug: str, item_id: int) -> Response:
    """Follow up an action item: status, owner, due date, note (organizers)."""
    event = _event(slug)
    body: Any = _json_body()
    return jsonify(update_action_item(event, actor=current_actor(), item_id=item_id, data=body))


def _served(data: bytes, content_type: str, name: str) -> Response:
    response = Response(data, mimetype=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.headers["Cache-Control"] = "private, max-age=3600"  # private: hiding one must reach every viewer
    response.set_etag(name)  # a photo's bytes never change under its id
    return response.make_conditional(request)


@bp.get("/e/<slug>/photos/<id:photo_id>.jpg")
def photo(slug: str, photo_id: int) -> Response:
    """A result's photo (hidden ones only for organizers)."""
    event = _event(slug)
    data, content_type = photo_file(event, actor=current_actor(), photo_id=photo_id, thumb=False)
    return _served(data, content_type, f"photo-{photo_id}.jpg")


@bp.get("/e/<slug>/photos/<id:photo_id>/thumb.jpg")
def thumbnail(slug: str, photo_id: int) -> Response:
    """A photo's thumbnail (longest side 400 px)."""
    event = _event(slug)
    data, content_type = photo_file(event, actor=current_actor(), photo_id=photo_id, thumb=True)
    return _served(data, content_type, f"photo-{photo_id}-thumb.jpg")

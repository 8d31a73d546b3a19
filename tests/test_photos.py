"""Flipchart photos: re-encoded upright without EXIF/GPS, size-capped, served safely; bombs, non-images, the
seventh photo and oversized uploads are refused with nothing stored."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

import pytest
from conftest import Participant, make_app, topic_body
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image
from test_results import SLUG, app, host, orga, path, save  # noqa: F401 - the same fixtures

from openspace.extensions import db
from openspace.models import Photo, Result
from openspace.photos import PHOTO_MAX_BYTES

GPS = ExifTags.IFD.GPSInfo


@pytest.fixture
def topic_id(host):  # the host fixture of test_results
    room_id, slot_id = host.first_cell()
    return host.post(topic_body(room_id=room_id, slot_id=slot_id)).get_json()["topic"]["id"]


def jpeg(width=120, height=80, *, orientation=None, gps=False, colour="red"):
    """A JPEG with a blue square in the stored image's top-left corner, optionally with EXIF orientation and GPS."""
    image = Image.new("RGB", (width, height), colour)
    image.paste((0, 0, 255), (0, 0, width // 5, width // 5))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif.get_ifd(GPS).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    out = BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_bomb(side=20000):
    """A single-colour 1-bit PNG of side x side pixels: about 50 KB of file, 400 megapixels once decoded."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + side // 8)
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def upload(client, topic_id, data, name="flipchart.jpg", kind="image/jpeg"):
    return client.client.post(
        f"/api/events/{client.slug}/{path(topic_id, '/photos')}",
        data={"photo": (BytesIO(data), name, kind)},
        headers={"X-CSRFToken": client.csrf},
        content_type="multipart/form-data",
    )


def stored(app):
    with app.app_context():
        return db.session.query(Photo).count(), db.session.query(Result).count()


def test_photo_is_stored_upright_without_exif_or_gps_and_at_most_2000_px(host, topic_id):
    original = jpeg(2400, 1600, orientation=6, gps=True)
    with Image.open(BytesIO(original)) as source:  # the test photo really carries what must go
        assert (source.getexif()[ExifTags.Base.Orientation], bool(source.getexif().get_ifd(GPS))) == (6, True)
    response = upload(host, topic_id, original)
    assert response.status_code == 201
    photo = response.get_json()
    assert photo == {
        "id": photo["id"],
        "url": f"/e/{SLUG}/photos/{photo['id']}.jpg",
        "thumb_url": f"/e/{SLUG}/photos/{photo['id']}/thumb.jpg",
    }
    served = host.client.get(photo["url"])
    assert served.status_code == 200
    assert (served.mimetype, served.headers["X-Content-Type-Options"]) == ("image/jpeg", "nosniff")
    assert served.headers["Content-Disposition"] == f'inline; filename="photo-{photo["id"]}.jpg"'
    assert served.headers["Cache-Control"] == "private, max-age=3600"
    with Image.open(BytesIO(served.data)) as image:
        assert (image.format, image.size) == ("JPEG", (1333, 2000))  # turned upright: 1600 x 2400, scaled
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(GPS) == {}
        assert "exif" not in image.info
        blue = image.convert("RGB").getpixel((1333 - 100, 100))  # the stored top-left corner, now top-right
        assert blue[2] > 200 and blue[0] < 60
    thumb = host.client.get(photo["thumb_url"])
    assert (thumb.status_code, thumb.mimetype, thumb.headers["X-Content-Type-Options"]) == (
        200,
        "image/jpeg",
        "nosniff",
    )
    with Image.open(BytesIO(thumb.data)) as image:
        assert image.size == (267, 400)
    again = host.client.get(photo["url"], headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304
    result = host.call("get", path(topic_id)).get_json()
    assert (result["photos"], result["version"], result["state"]) == ([photo], 0, "missing")


def test_a_png_with_transparency_is_stored_as_jpeg(host, topic_id):
    image = Image.new("RGBA", (50, 40), (0, 255, 0, 0))
    out = BytesIO()
    image.save(out, "PNG")
    response = upload(host, topic_id, out.getvalue(), name="skizze.png", kind="image/png")
    assert response.status_code == 201
    served = host.client.get(response.get_json()["url"])
    with Image.open(BytesIO(served.data)) as stored_image:
        assert (stored_image.format, stored_image.size, stored_image.convert("RGB").getpixel((25, 20))) == (
            "JPEG",
            (50, 40),
            (255, 255, 255),
        )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"Hallo, ich bin kein Bild.\n", "x.jpg", "Not a JPEG, PNG or WebP image."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.jpg", None),
        (b"GIF89a" + b"\x00" * 20, "x.gif", None),
        (None, "truncated.jpg", None),
        ("bomb", "bomb.png", "At most 40 megapixels."),
        ("42 MP", "gross.png", "At most 40 megapixels."),
    ],
)
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow warns past 40 MP; we refuse
def test_non_images_truncated_files_and_decompression_bombs_are_refused_422(app, host, topic_id, data, name, message):
    if data is None:
        data = jpeg(400, 300)[:600]
    elif data == "bomb":
        data = png_bomb()
        assert len(data) < 200_000
    elif data == "42 MP":
        data = png_bomb(6500)
    response = upload(host, topic_id, data, name=name)
    assert response.status_code == 422
    body = response.get_json()
    assert (body["code"], body["fields"]["photo"]) == ("invalid", message or "Not a JPEG, PNG or WebP image.")
    assert stored(app) == (0, 0)


def test_the_seventh_photo_is_refused_and_nothing_more_is_stored(app, host, topic_id):
    for colour in ("red", "green", "blue", "yellow", "white", "black"):
        assert upload(host, topic_id, jpeg(colour=colour)).status_code == 201
    refused = upload(host, topic_id, jpeg())
    assert (refused.status_code, refused.get_json()["fields"]) == (422, {"photo": "At most 6 photos."})
    assert stored(app) == (6, 1)
    assert len(host.call("get", path(topic_id)).get_json()["photos"]) == 6


def test_uploads_over_10_mb_are_refused_413_before_decoding(app, host, topic_id):
    just_over = upload(host, topic_id, b"\xff\xd8" + b"\x00" * (PHOTO_MAX_BYTES - 1))
    assert (just_over.status_code, just_over.get_json()["code"]) == (413, "too_large")
    far_over = upload(host, topic_id, b"\x00" * (11 * 1024 * 1024))
    assert (far_over.status_code, far_over.get_json()["code"]) == (413, "http_413")
    assert stored(app) == (0, 0)


def test_a_form_without_a_photo_and_uploads_elsewhere_are_refused(app, host, topic_id):
    empty = host.client.post(
        f"/api/events/{SLUG}/{path(topic_id, '/photos')}",
        data={"other": "x"},
        headers={"X-CSRFToken": host.csrf},
        content_type="multipart/form-data",
    )
    assert (empty.status_code, empty.get_json()["fields"]) == (422, {"photo": "Required."})
    assert upload(host, 99999, jpeg()).status_code == 404
    no_token = host.client.post(
        f"/api/events/{SLUG}/{path(topic_id, '/photos')}",
        data={"photo": (BytesIO(jpeg()), "a.jpg", "image/jpeg")},
        content_type="multipart/form-data",
    )
    assert (no_token.status_code, no_token.get_json()["code"]) == (403, "csrf")
    big_json = host.call("put", path(topic_id), {"version": 0, "summary": "x" * 70_000})
    assert big_json.status_code == 413  # only photo uploads may be large
    assert stored(app) == (0, 0)


def test_hidden_photos_are_for_organizers_only_and_only_the_host_or_organizers_remove_one(app, orga, host, topic_id):
    first = upload(host, topic_id, jpeg()).get_json()
    second = upload(Participant(app, SLUG), topic_id, jpeg(colour="green")).get_json()
    anna = Participant(app, SLUG)
    refused = anna.call("patch", path(topic_id, f"/photos/{first['id']}"), {"hidden": True})
    assert (refused.status_code, refused.get_json()["code"]) == (403, "forbidden")
    hidden = orga.call("patch", path(topic_id, f"/photos/{first['id']}"), {"hidden": True})
    assert (hidden.status_code, hidden.get_json()) == (200, {**first, "hidden": True})
    assert anna.client.get(first["url"]).status_code == 404
    assert anna.client.get(first["thumb_url"]).status_code == 404
    assert orga.client.get(first["url"]).status_code == 200
    assert anna.call("get", path(topic_id)).get_json()["photos"] == [second]
    assert orga.call("get", path(topic_id)).get_json()["photos"] == [
        {**first, "hidden": True},
        {**second, "hidden": False},
    ]
    refused = anna.call("delete", path(topic_id, f"/photos/{second['id']}"))
    assert (refused.status_code, refused.get_json()["code"]) == (403, "forbidden")
    assert host.call("delete", path(topic_id, f"/photos/{second['id']}")).status_code == 200
    assert orga.call("delete", path(topic_id, f"/photos/{first['id']}")).status_code == 200
    assert host.call("delete", path(topic_id, f"/photos/{first['id']}")).status_code == 404
    assert anna.client.get(second["url"]).status_code == 404
    assert stored(app) == (0, 1)


def test_photos_of_another_event_are_not_served_under_this_one(app, host, topic_id):
    photo = upload(host, topic_id, jpeg()).get_json()
    assert host.client.get(f"/e/zukunft/photos/{photo['id']}.jpg").status_code == 404
    for huge in ("99999", "2147483648", "9" * 60):  # past the largest id: 404, never a database error
        assert host.client.get(f"/e/{SLUG}/photos/{huge}.jpg").status_code == 404
        assert host.client.get(f"/e/{SLUG}/photos/{huge}/thumb.jpg").status_code == 404
        assert host.call("delete", path(topic_id, f"/photos/{huge}")).status_code == 404
        assert host.call("get", path(huge)).status_code == 404
        assert host.call("patch", f"action-items/{huge}", {"status": "done"}).status_code in (403, 404)


def test_under_gevent_photos_are_re_encoded_in_its_thread_pool(app, monkeypatch):
    import threading

    from openspace import photos

    threads = []
    reencode = photos._reencode
    monkeypatch.setattr(photos.monkey, "is_module_patched", lambda name: True)
    monkeypatch.setattr(photos, "_reencode", lambda data: threads.append(threading.get_ident()) or reencode(data))
    with app.test_request_context():
        prepared = photos.prepare_photo(jpeg(3000, 1000))
        with pytest.raises(photos.DomainError):
            photos.prepare_photo(b"kein Bild")
    assert (prepared.width, prepared.height, len(threads)) == (2000, 667, 2)
    assert threading.get_ident() not in threads


@pytest.fixture
def texts_app(tmp_path):
    """An app only for its messages: the image checks themselves touch no database."""
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_phone_jpeg_with_a_second_image_inside_mpo_is_accepted(texts_app):
    from openspace.photos import prepare_photo

    first, second = Image.new("RGB", (64, 48), "red"), Image.new("RGB", (32, 24), "blue")
    out = BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second])
    with Image.open(BytesIO(out.getvalue())) as check:
        assert check.format == "MPO"
    with texts_app.test_request_context():
        prepared = prepare_photo(out.getvalue())
    assert (prepared.width, prepared.height) == (64, 48)


_SEEDS = [jpeg(60, 40, orientation=6, gps=True)]
_png = BytesIO()
Image.new("P", (30, 20)).save(_png, "PNG", transparency=0)
_SEEDS.append(_png.getvalue())


@pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")  # Pillow reading damaged EXIF
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.sampled_from(_SEEDS),
    cuts=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6),
    keep=st.integers(0, 10_000),
)
def test_fuzz_damaged_images_are_re_encoded_or_refused_never_an_error(texts_app, seed, cuts, keep):
    from openspace.errors import DomainError
    from openspace.photos import prepare_photo

    data = bytearray(seed)
    for position, value in cuts:
        data[position % len(data)] = value
    data = bytes(data[: max(8, keep)])
    with texts_app.test_request_context():
        try:
            prepared = prepare_photo(data)
        except DomainError as refusal:
            assert (refusal.code, refusal.status) == ("invalid", 422)
            return
    assert max(prepared.width, prepared.height) <= 2000
    with Image.open(BytesIO(prepared.image)) as image:
        assert (image.format, dict(image.getexif())) == ("JPEG", {})


def test_a_watching_page_learns_of_photos_added_hidden_and_removed_elsewhere(app, orga, host, topic_id):
    watcher = Participant(app, SLUG).socket()
    watcher.emit("join", {"event": SLUG})
    watcher.get_received()

    def photo_deltas():
        return [
            (m["args"][0]["change"]["type"], m["args"][0]["change"]["result"])
            for m in watcher.get_received()
            if m["name"] == "wall_changed"
        ]

    before = host.wall().get_json()["revision"]
    first = upload(host, topic_id, jpeg()).get_json()
    second = upload(host, topic_id, jpeg(colour="green")).get_json()
    assert orga.call("patch", path(topic_id, f"/photos/{first['id']}"), {"hidden": True}).status_code == 200
    assert host.call("delete", path(topic_id, f"/photos/{second['id']}")).status_code == 200
    mark = {"topic_id": topic_id, "state": "missing", "version": 0}  # photos alone document nothing yet
    assert photo_deltas() == [
        ("result_changed", {**mark, "photos": [first["id"]]}),
        ("result_changed", {**mark, "photos": [first["id"], second["id"]]}),
        ("result_changed", {**mark, "photos": [second["id"]]}),
        ("result_changed", {**mark, "photos": []}),
    ]
    assert host.wall().get_json()["revision"] == before + 4
    refused = Participant(app, SLUG).call("delete", path(topic_id, f"/photos/{first['id']}"))
    assert refused.status_code == 403
    assert host.wall().get_json()["revision"] == before + 4  # a refusal changes nothing, not even the revision
    assert photo_deltas() == []

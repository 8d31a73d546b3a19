"""Protections of issue "Hardened for a real venue" that run in-process: limits, origins, headers."""

from __future__ import annotations

import time

from conftest import Participant, build_event, make_app, set_topic_cap, topic_body


def test_one_participant_firing_posts_is_throttled_with_clear_error(app, alice):
    set_topic_cap(app, alice.slug, 0)  # the cap on topics per person is tested in test_moderation
    statuses = [alice.post(topic_body(title=f"Spam {i}", room_id=None, slot_id=None)).status_code for i in range(20)]
    assert statuses[:5] == [201] * 5
    assert set(statuses[5:]) == {429}
    refused = alice.post(topic_body(room_id=None, slot_id=None))
    assert refused.get_json() == {"ok": False, "error": "Too many requests. Please wait a moment.", "code": "http_429"}
    assert len(alice.wall().get_json()["topics"]) == 5


def test_hundred_phones_behind_one_address_are_not_throttled(app, event):
    phones = [Participant(app, event) for _ in range(100)]
    statuses = [
        phone.post(topic_body(title=f"Anliegen {i}", room_id=None, slot_id=None)).status_code
        for i, phone in enumerate(phones)
    ]
    statuses += [
        phone.post(topic_body(title=f"Zweites {i}", room_id=None, slot_id=None)).status_code
        for i, phone in enumerate(phones)
    ]
    assert statuses == [201] * 200


def test_edits_count_against_the_same_participant_limit(alice):
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    statuses = [alice.patch(topic_id, {"title": f"Titel {i}"}).status_code for i in range(8)]
    assert statuses == [200, 200, 200, 200, 429, 429, 429, 429]


def test_post_without_participant_session_is_refused(app, event):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post("/api/events/zukunft/topics", json=topic_body())
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden"


def handshake(client, origin, **headers):
    environ = {"HTTP_ORIGIN": origin} if origin else {}
    environ.update(headers)
    return client.get("/socket.io/?EIO=4&transport=polling", environ_base=environ)


def test_socket_handshake_from_foreign_origin_is_refused(app, event):
    client = app.test_client()
    assert handshake(client, "http://evil.example").status_code == 400
    assert handshake(client, "http://localhost").status_code == 200


def test_behind_tls_proxy_origin_check_uses_public_host(tmp_path):
    app = make_app(tmp_path, TRUSTED_PROXIES=1)
    client = app.test_client()
    forwarded = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "wall.example.org"}
    assert handshake(client, "https://wall.example.org", **forwarded).status_code == 200
    assert handshake(client, "https://evil.example", **forwarded).status_code == 400


def test_behind_tls_proxy_links_use_public_scheme_and_host(tmp_path):
    from conftest import build_event

    app = make_app(tmp_path, TRUSTED_PROXIES=1, SERVER_NAME=None)
    build_event(app)
    page = app.test_client().get(
        "/e/zukunft/wall",
        environ_base={"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "wall.example.org"},
    )
    assert "https://wall.example.org/e/zukunft/" in page.get_data(as_text=True)


def test_pages_send_csp_without_inline_script_and_deny_framing(alice):
    response = alice.client.get("/e/zukunft/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = response.get_data(as_text=True)
    assert page.count("<script") == page.count('<script type="application/json"') + page.count(
        '<script type="module" src='
    )


def test_secure_cookie_flag_follows_configuration(tmp_path):
    from conftest import build_event

    app = make_app(tmp_path, SESSION_COOKIE_SECURE=True)
    build_event(app)
    cookie = app.test_client().get("/e/zukunft/").headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_new_event_form_is_limited_per_address(app):
    import re

    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/new").get_data(as_text=True))
    statuses = [client.post("/new", data={"csrf_token": token.group(1)}).status_code for _ in range(12)]
    assert statuses == [422] * 10 + [429, 429]


def test_join_flood_over_socket_is_limited_per_participant(alice):
    socket = alice.socket()
    acks = [socket.emit("join", {"event": "zukunft"}, callback=True) for _ in range(32)]
    assert [a["ok"] for a in acks] == [True] * 30 + [False, False]
    assert acks[-1] == {"ok": False, "error": "Too many requests. Please wait a moment.", "code": "rate_limited"}


def test_oversized_socket_message_closes_the_connection(tmp_path):
    import websocket
    from live import HttpParticipant, LiveServer, cli

    database_url = f"sqlite:///{tmp_path / 'ws.sqlite3'}"
    cli(
        database_url,
        "create-event",
        "--name=WS",
        "--slug=ws",
        "--starts-on=2026-02-27",
        "--room=A",
        "--slot=09:00-10:00",
    )
    with LiveServer(database_url) as server:
        cookie = "; ".join(f"{k}={v}" for k, v in HttpParticipant(server.url, "ws").http.cookies.get_dict().items())
        url = server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"

        def opened():
            ws = websocket.create_connection(url, header=[f"Cookie: {cookie}"], timeout=10)
            assert ws.recv().startswith("0{")
            ws.send("40")
            assert ws.recv().startswith("40{")
            return ws

        small = opened()
        small.send('420["join",{"event":"ws"}]')
        assert small.recv().startswith('430[{"ok":true')
        small.close()
        big = opened()
        big.send('421["join",{"event":"' + "x" * 70_000 + '"}]')
        # The server closes at once. Pings are answered meanwhile, so the close cannot be the ping timeout
        # (9 s); 5 s leaves a loaded CI machine its margin and still tells the two apart.
        big.settimeout(0.5)
        deadline = time.monotonic() + 5
        replies, closed_by_server = [], False
        while time.monotonic() < deadline and not closed_by_server:
            try:
                opcode, data = big.recv_data(control_frame=True)
            except websocket.WebSocketTimeoutException:
                continue
            except (websocket.WebSocketConnectionClosedException, ConnectionError):
                closed_by_server = True
                break
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                closed_by_server = True
            elif data == b"2":
                big.send("3")
            elif opcode == websocket.ABNF.OPCODE_TEXT:
                replies.append(data.decode())
        assert closed_by_server
        assert replies == []


def test_throttled_participant_may_write_again_once_the_window_has_passed(tmp_path):
    app = make_app(tmp_path, RATE_LIMIT_WRITES="2 per 1 second")
    from conftest import build_event

    slug, _secret = build_event(app)
    person = Participant(app, slug)

    def post(title: str) -> int:
        return person.post(topic_body(title=title, room_id=None, slot_id=None)).status_code

    assert [post(f"Erst {i}") for i in range(3)] == [201, 201, 429]
    throttled_at = time.monotonic()
    # The window is one second; 2 s more cover a slow machine. The loop ends as soon as the limit lets go.
    while (status := post("Danach")) == 429:
        assert time.monotonic() - throttled_at < 1 + 2, "the limit never let go"
        time.sleep(0.05)
    assert status == 201
    assert [t["title"] for t in person.wall().get_json()["topics"]] == ["Erst 0", "Erst 1", "Danach"]


def test_organizers_have_their_own_higher_limit_and_participants_keep_theirs(tmp_path):
    app = make_app(tmp_path, RATE_LIMIT_ORGANIZER_WRITES="12 per minute")
    from conftest import build_event

    slug, secret = build_event(app)
    host = Participant(app, slug)
    topic_id = host.post(topic_body()).get_json()["topic"]["id"]
    orga = Participant(app, slug)
    assert orga.client.get(f"/e/{slug}/organize/{secret}").status_code == 302

    statuses = [orga.patch(topic_id, {"title": f"Orga {i}"}).status_code for i in range(13)]
    host_statuses = [host.patch(topic_id, {"title": f"Host {i}"}).status_code for i in range(6)]

    assert statuses == [200] * 12 + [429]
    assert host_statuses == [200, 200, 200, 200, 429, 429]  # the post above counted as the host's first change
    assert host.wall().get_json()["topics"][0]["title"] == "Host 3"


def test_pages_built_from_the_host_header_are_never_cached(tmp_path):
    app = make_app(tmp_path, SERVER_NAME=None)
    build_event(app)
    client = app.test_client()
    for path in ("/e/zukunft/poster", "/e/zukunft/qr.svg", "/e/zukunft/wall", "/e/zukunft/"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert (path, response.status_code, response.headers["Cache-Control"]) == (path, 200, "no-store")
    assert "http://evil.example/e/zukunft/" in client.get("/e/zukunft/poster", headers={"Host": "evil.example"}).text


def test_public_url_names_the_join_address_whatever_the_host_header(tmp_path):
    app = make_app(tmp_path, PUBLIC_URL="https://wall.example.org", SERVER_NAME=None)
    build_event(app)
    client = app.test_client()
    poster = client.get("/e/zukunft/poster", headers={"Host": "evil.example"})
    assert "https://wall.example.org/e/zukunft/" in poster.text
    assert "evil.example" not in poster.text
    qr = client.get("/e/zukunft/qr.svg", headers={"Host": "evil.example"})
    assert qr.headers["Cache-Control"] == "public, max-age=300"


def test_allowed_hosts_refuse_any_other_host_header(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "wall.example.org")
    app = make_app(tmp_path, SERVER_NAME=None)
    build_event(app)
    client = app.test_client()
    assert client.get("/e/zukunft/poster", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/e/zukunft/poster", headers={"Host": "wall.example.org"}).status_code == 200

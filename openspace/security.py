"""Response headers and the mapping of refusals to HTTP answers."""

from __future__ import annotations

from flask import Flask, Response, flash, g, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from .errors import DomainError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


# Pages that show an organizer secret or organizer-only state: never kept by a browser or a proxy cache.
PRIVATE_PAGES = ("/created", "/organizer")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def init_app(app: Flask) -> None:
    """Install security headers and error handlers on the app."""

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if (
            request.path.startswith(("/api/", "/new"))
            or request.path.endswith(PRIVATE_PAGES)
            or "/organize/" in request.path
            or "/print/" in request.path  # printables are the organizers' alone
        ):
            response.headers.setdefault("Cache-Control", "no-store")
        if g.get("built_from_host"):  # its links name the Host header: no cache may serve it to anyone else
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> tuple[Response, int] | Response:
        if _wants_json():
            return jsonify(error.as_dict()), error.status
        return render_template("error.html", message=error.message), error.status

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> tuple[Response, int] | Response:
        message = _("Your form has expired or was sent from elsewhere. Please reload the page and try again.")
        if _wants_json():
            # Forbidden, not malformed: a request without this browser's token is someone else's (or no one's).
            return jsonify({"ok": False, "error": message, "code": "csrf"}), 403
        flash(message, "error")
        return redirect(request.referrer or "/")

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[Response, int] | HTTPException | Response:
        if isinstance(error, SecurityError):  # a Host outside ALLOWED_HOSTS: no page, no link is built from it
            return Response("Unknown host.\n", 400, mimetype="text/plain")
        messages = {
            400: _("The request could not be understood."),
            404: _("Not found."),
            405: _("This method is not allowed here."),
            413: _("The request is too large."),
            429: _("Too many requests. Please wait a moment."),
        }
        message = messages.get(error.code or 500, _("Something went wrong."))
        if _wants_json():
            return jsonify({"ok": False, "error": message, "code": f"http_{error.code}"}), error.code or 500
        return render_template("error.html", message=message), error.code or 500

"""PDFs of the printables: openspace/pdfworker.py renders them in a subprocess, PDF_CONCURRENCY at a time.

The server's process only waits (cooperatively under gevent) for the child, so live walls keep their updates
while hundreds of A3 sheets are laid out.
"""

from __future__ import annotations

import base64
import ctypes.util
import importlib.util
import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from flask_babel import gettext as _
from gevent import get_hub, monkey

from .errors import DomainError
from .pdfworker import UNAVAILABLE

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().with_name("pdfworker.py")
PANGO_HINT = "apt-get install libpango-1.0-0 libpangoft2-1.0-0"
BASE_URL = "http://printables.invalid/"  # never fetched: the worker serves /static/ from disk and data: URIs only
log = logging.getLogger(__name__)


@dataclass
class PdfService:
    """What PDF rendering needs in one app: the reason it cannot run (if any) and the free worker places."""

    problem: str | None
    places: threading.BoundedSemaphore
    timeout: float


def support_problem() -> str | None:
    """Why PDFs cannot be rendered on this machine, checked without loading WeasyPrint (the worker loads it)."""
    if importlib.util.find_spec("weasyprint") is None:
        return "WeasyPrint is not installed (pip install -r requirements.txt)"
    missing = [name for name in ("pango-1.0", "pangoft2-1.0") if ctypes.util.find_library(name) is None]
    if missing:
        return f"Pango is missing ({', '.join(missing)})"
    return None


def init_app(app: Flask) -> None:
    """Check once at start-up whether PDFs can be made; the HTML printables work either way."""
    problem = support_problem()
    if problem:
        log.warning("PDF printables are off: %s. Install with: %s", problem, PANGO_HINT)
    concurrency = max(1, int(app.config["PDF_CONCURRENCY"]))
    app.extensions["openspace.pdf"] = PdfService(
        problem, threading.BoundedSemaphore(concurrency), float(app.config["PDF_TIMEOUT"])
    )


def _unavailable() -> DomainError:
    return DomainError(
        "unavailable",
        _(
            "PDFs cannot be made on this server: WeasyPrint or the Pango library it needs is missing. "
            "The administrator installs them with: %(command)s. The printable pages work meanwhile: "
            "print them from the browser.",
            command=PANGO_HINT,
        ),
    )


def _job(html: str, qr_codes: dict[str, str], images: dict[str, tuple[str, bytes]]) -> bytes:
    sent = {path: [kind, base64.b64encode(data).decode("ascii")] for path, (kind, data) in images.items()}
    return json.dumps({"html": html, "base_url": BASE_URL, "qr_codes": qr_codes, "images": sent}).encode()


def _job_off_the_loop(html: str, qr_codes: dict[str, str], images: dict[str, tuple[str, bytes]]) -> bytes:
    """The worker's input; under gevent encoded in the thread pool: a report's photos are tens of MB."""
    if not monkey.is_module_patched("threading"):
        return _job(html, qr_codes, images)
    return get_hub().threadpool.apply(_job, (html, qr_codes, images))


def render_pdf(html: str, qr_codes: dict[str, str], images: dict[str, tuple[str, bytes]] | None = None) -> bytes:
    """The PDF of one printable page, made in a worker process; 503 when unavailable, busy or too slow.

    `qr_codes` maps the paths of the page's QR images to the text each encodes: the worker draws them.
    `images` maps paths of the page's images (under BASE_URL) to their content type and bytes.
    """
    service: PdfService = current_app.extensions["openspace.pdf"]
    if service.problem:
        raise _unavailable()
    if not service.places.acquire(timeout=service.timeout):
        raise DomainError("unavailable", _("Other PDFs are being made right now. Please try again in a minute."))
    try:
        done = subprocess.run(
            [sys.executable, str(WORKER)],  # run as a script: importing the openspace package would load the app
            input=_job_off_the_loop(html, qr_codes, images or {}),
            capture_output=True,
            timeout=service.timeout,
            cwd=ROOT,
            env={**os.environ, **current_app.config["PDF_WORKER_ENV"]},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DomainError(
            "unavailable", _("Making the PDF took longer than %(n)s s. Please try again.", n=f"{service.timeout:g}")
        ) from None
    finally:
        service.places.release()
    if done.returncode == UNAVAILABLE:
        log.warning("PDF worker: %s", done.stderr.decode(errors="replace").strip())
        raise _unavailable()
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        log.error("PDF worker failed (%s): %s", done.returncode, done.stderr.decode(errors="replace")[-2000:])
        raise DomainError("failed", _("The PDF could not be made. The printable page still works."))
    return done.stdout

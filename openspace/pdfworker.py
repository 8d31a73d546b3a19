"""Render one printable's HTML to PDF with WeasyPrint, in a process of its own (openspace/pdf.py starts it).

Reads JSON {"html": ..., "base_url": ..., "qr_codes": {path: text}, "images": {path: [content type, base64]}} on
stdin, writes the PDF to stdout.
Layout of hundreds of A3 sheets takes seconds of CPU: in the server's process it would stop every live
connection for that long.

Nothing is fetched from the network: the fetcher serves data: URIs, files under static/, the QR code images
the page names in `qr_codes` (drawn here: hundreds of them would cost the server's loop seconds), and the images
sent along in `images` (a report's photos: as data: URIs in the HTML they would make its parsing slow).
Exit codes: 0 done, 3 WeasyPrint (or Pango under it) cannot be loaded, 1 anything else.
"""

from __future__ import annotations

import base64
import io
import json
import mimetypes
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

STATIC = (Path(__file__).resolve().parent.parent / "static").resolve()
UNAVAILABLE = 3


def qr_svg(text: str) -> bytes:
    """A QR code of `text` as SVG (no Pillow needed); the server's qr.svg routes draw theirs with it too."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def local_fetcher(
    base_url: str, qr_codes: dict[str, str] | None = None, images: dict[str, list[str]] | None = None
) -> Any:
    """A WeasyPrint URL fetcher for data: URIs, this site's /static/ files, the page's QR codes and the images sent
    with it; nothing else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    base = urlsplit(base_url)
    codes = qr_codes or {}
    sent = images or {}

    class LocalFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if (parts.scheme, parts.netloc) == (base.scheme, base.netloc) and parts.path in codes:
                return URLFetcherResponse(url, qr_svg(codes[parts.path]), {"Content-Type": "image/svg+xml"})
            if (parts.scheme, parts.netloc) == (base.scheme, base.netloc) and parts.path in sent:
                kind, data = sent[parts.path]
                return URLFetcherResponse(url, base64.b64decode(data), {"Content-Type": kind})
            if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith("/static/"):
                raise ValueError(f"not fetched (printables use local files only): {url}")
            path = (STATIC / unquote(parts.path.removeprefix("/static/"))).resolve()
            if not path.is_relative_to(STATIC) or not path.is_file():
                raise ValueError(f"no such static file: {url}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

    return LocalFetcher(allowed_protocols=("data", base.scheme))


def render(
    html: str, base_url: str, qr_codes: dict[str, str] | None = None, images: dict[str, list[str]] | None = None
) -> bytes:
    """The PDF of `html`; relative links resolve against `base_url` and go through the local fetcher."""
    import weasyprint

    fetcher = local_fetcher(base_url, qr_codes, images)
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


def main() -> int:
    """Read the job from stdin, write the PDF to stdout."""
    try:
        import weasyprint  # noqa: F401 - loads Pango through cffi: fails here when the libraries are missing
    except (ImportError, OSError) as error:
        print(f"WeasyPrint cannot be loaded: {error}", file=sys.stderr)
        return UNAVAILABLE
    os.nice(10)  # layout is batch work: the server and its live walls come first on a busy core
    job = json.load(sys.stdin)
    sys.stdout.buffer.write(render(job["html"], job["base_url"], job.get("qr_codes"), job.get("images")))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

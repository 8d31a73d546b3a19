"""The join QR code, decoded as a phone's camera would: rendered by Chromium, read by zxing-cpp.

The poster and the projector show the QR image; decoding what the browser drew must give the join URL the page
prints beside it, which is the event's phone page on this server.
"""

from __future__ import annotations

import base64
import os

import pytest
from test_browser import DESKTOP, LIVE, browser, site  # noqa: F401 - shared fixtures

if os.environ.get("CI") == "true":
    import zxingcpp  # zxing-cpp (requirements-dev.txt): on CI a missing decoder fails the run
else:
    zxingcpp = pytest.importorskip("zxingcpp")

pytestmark = [pytest.mark.browser, pytest.mark.server]

SCALE = 2  # device pixels per CSS pixel of the drawn QR
QUIET = 16  # extra white border in CSS pixels, so the code never touches the edge of the image

# Draws the page's own <img> (as the browser decoded it) onto a white canvas and returns grey pixels.
GREY_PIXELS = """
([img, scale, quiet]) => {
  const w = img.naturalWidth * scale, h = img.naturalHeight * scale, pad = quiet * scale;
  const canvas = document.createElement("canvas");
  canvas.width = w + 2 * pad;
  canvas.height = h + 2 * pad;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, pad, pad, w, h);
  const rgba = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let grey = "";
  for (let i = 0; i < rgba.length; i += 4) {
    grey += String.fromCharCode(Math.round((rgba[i] + rgba[i + 1] + rgba[i + 2]) / 3));
  }
  return { width: canvas.width, height: canvas.height, pixels: btoa(grey) };
}
"""


@pytest.fixture
def page(browser):
    context = browser.new_context(**DESKTOP)
    yield context.new_page()
    context.close()


def decoded_qr(page, image_selector: str) -> list[str]:
    """The texts of every QR code zxing-cpp finds in the image the page shows."""
    image = page.locator(image_selector)
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    drawn = page.evaluate(GREY_PIXELS, [image.element_handle(), SCALE, QUIET])
    grey = memoryview(base64.b64decode(drawn["pixels"])).cast("B", (drawn["height"], drawn["width"]))
    return [(code.format, code.text) for code in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)]


@pytest.mark.parametrize(
    ("path", "image", "url_text"),
    [("poster", "img.poster-qr", ".poster-url"), ("wall", "figure.join img", ".join-url")],
)
def test_join_qr_decodes_to_the_printed_join_url(site, page, path, image, url_text):
    join_url = f"{site.url}/e/browser/"
    page.goto(f"{site.url}/e/browser/{path}")
    if path == "wall":
        page.wait_for_selector(LIVE)
    assert page.locator(url_text).inner_text() == join_url
    assert decoded_qr(page, image) == [(zxingcpp.BarcodeFormat.QRCode, join_url)]

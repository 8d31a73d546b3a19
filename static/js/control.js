// Facilitator controls on the organizer page: the marketplace (one tap per step) and announcements.
// The server checks organizer rights on every call; this page shows what the wall state says.
import { announcementItems, el, rerenderAtExpiry } from "./render.js";

export function startControl({ live, page, texts, csrf, locale }) {
  const base = `/api/events/${encodeURIComponent(page.slug)}`;
  const node = (id) => document.getElementById(id);
  let wall = live.state || page.state;

  async function call(method, path, body, errorNode) {
    errorNode.hidden = true;
    let response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        credentials: "same-origin",
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch {
      errorNode.textContent = texts.offline_error;
      errorNode.hidden = false;
      return null;
    }
    let data;
    try { data = await response.json(); } catch { data = { ok: false, error: texts.server_error }; }
    if (!data.ok) {
      const fields = Object.values(data.fields || {});
      errorNode.textContent = [data.error || texts.server_error, ...fields].join(" ");
      errorNode.hidden = false;
      return null;
    }
    return data;
  }

  function renderMarket(state) {
    const market = state.marketplace;
    let line = texts.market_closed;
    if (market.open && market.current) {
      line = texts.market_now.replace("{title}", market.current.title).replace("{n}", market.position + 1).replace("{total}", market.total);
    } else if (market.open) {
      line = market.total ? texts.market_done : texts.market_waiting;
    }
    node("market-state").textContent = line;
    for (const button of document.querySelectorAll("#control [data-market]")) {
      const action = button.dataset.market;
      button.hidden = action === "open" ? market.open : !market.open;
    }
    const back = document.querySelector('#control [data-market="back"]');
    back.disabled = market.open && market.position === 0;
    document.querySelector('#control [data-market="skip"]').disabled = !market.current || market.position >= market.total - 1;
  }

  function renderAnnouncements(state) {
    const items = announcementItems(state, texts, locale);
    for (const item of items) {
      item.classList.add("mod-item");
      item.append(el("span", { className: "topic-actions" },
        el("button", { type: "button", className: "button small danger", dataset: { remove: item.dataset.announcementId } }, texts.remove)));
    }
    node("announce-list").replaceChildren(...(items.length ? items : [el("li", { className: "hint" }, texts.no_announcements)]));
    rerenderAtExpiry("control", state, () => renderAnnouncements(live.state || state));
  }

  function render(state) {
    wall = state;
    renderMarket(state);
    renderAnnouncements(state);
  }

  node("control").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-market]");
    if (!button || button.disabled) return;
    button.disabled = true; // one tap, one step: a double tap must not skip a topic
    const data = await call("POST", "/marketplace", { action: button.dataset.market }, node("market-error"));
    button.disabled = false;
    if (data) render({ ...wall, marketplace: data.marketplace });
  });
  node("announce-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const until = form.elements.until.value;
    const data = await call("POST", "/announcements", { text: form.elements.text.value, until: until || null }, node("announce-error"));
    if (data) form.reset();
  });
  node("announce-list").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-remove]");
    if (button) call("DELETE", `/announcements/${button.dataset.remove}`, null, node("announce-error"));
  });
  document.addEventListener("wall-state", (event) => render(event.detail));
  render(wall);
}

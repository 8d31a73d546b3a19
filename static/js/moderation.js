// Organizer moderation panel: lock, posting rules, approval queue, bulk withdraw/restore, blocking a device.
// The server checks organizer rights on every call; this page only shows what its answers and broadcasts say.
import { el, slotTime } from "./render.js";

const RECENT_MS = 10 * 60 * 1000;

export function startModeration({ live, page, texts, csrf, locale }) {
  const eventBase = `/api/events/${encodeURIComponent(page.slug)}`;
  const base = `${eventBase}/moderation`;
  const node = (id) => document.getElementById(id);
  const errorNode = node("mod-error");
  let moderation = null;
  let wall = live.state || page.state;
  const selected = new Set(); // live topic ids ticked for a bulk withdraw
  const selectedWithdrawn = new Set();

  function showError(message) {
    errorNode.textContent = message || "";
    errorNode.hidden = !message;
  }

  async function call(method, path, body) {
    showError("");
    let response;
    try {
      response = await fetch(path.startsWith("/api/") ? path : `${base}${path}`, {
        method,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        credentials: "same-origin",
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch {
      showError(texts.offline_error);
      return null;
    }
    let data;
    try { data = await response.json(); } catch { data = { ok: false, error: texts.server_error }; }
    if (!data.ok) {
      showError(data.error || texts.server_error);
      return null;
    }
    if (data.moderation) render(data.moderation);
    return data;
  }

  function cellName(topic) {
    const room = wall.rooms.find((r) => r.id === topic.room_id);
    const slot = wall.slots.find((s) => s.id === topic.slot_id);
    return room && slot ? `${room.name} · ${slotTime(slot, locale, wall.event.timezone)}` : texts.unplaced_short;
  }

  function line(topic, ...buttons) {
    return el("li", { className: "mod-item", dataset: { topicId: topic.id } },
      el("span", { className: "topic-title", lang: wall.event.language }, topic.title),
      el("span", { className: "topic-host", lang: wall.event.language }, `${topic.host} · ${cellName(topic)}`),
      el("span", { className: "topic-actions" }, buttons));
  }

  function button(label, action, topic, extra = "") {
    return el("button", { type: "button", className: `button small ${extra}`.trim(), dataset: { action, topicId: topic.id } }, label);
  }

  function checkbox(topic, set) {
    const box = el("input", { type: "checkbox", "aria-label": texts.select_topic.replace("{title}", topic.title) });
    box.checked = set.has(topic.id);
    box.addEventListener("change", () => (box.checked ? set.add(topic.id) : set.delete(topic.id)));
    return box;
  }

  function renderLive() {
    const topics = [...wall.topics].sort((a, b) => b.id - a.id);
    for (const id of [...selected]) if (!topics.some((t) => t.id === id)) selected.delete(id);
    node("mod-live").replaceChildren(...topics.map((topic) => {
      const item = line(topic, button(topic.pinned ? texts.unpin : texts.pin, topic.pinned ? "unpin" : "pin", topic),
        button(texts.block, "block", topic, "danger"));
      item.prepend(checkbox(topic, selected));
      return item;
    }));
  }

  function render(state) {
    moderation = state;
    const { settings } = state;
    node("mod-lock-state").textContent = settings.locked
      ? [texts.mod_locked, settings.lock_reason].filter(Boolean).join(" ")
      : texts.mod_open;
    node("mod-lock").hidden = settings.locked;
    node("mod-unlock").hidden = !settings.locked;
    node("mod-premod").checked = settings.premoderation;
    if (document.activeElement !== node("mod-cap")) node("mod-cap").value = settings.max_topics_per_participant;
    node("mod-pending-count").textContent = state.pending.length;
    node("mod-pending").replaceChildren(...state.pending.map((topic) => line(topic,
      button(texts.approve, "approve", topic, "primary"), button(texts.reject, "withdraw", topic),
      button(texts.block, "block", topic, "danger"))));
    node("mod-approve-all").hidden = state.pending.length === 0;
    node("mod-withdrawn-count").textContent = state.withdrawn.length;
    for (const id of [...selectedWithdrawn]) if (!state.withdrawn.some((t) => t.id === id)) selectedWithdrawn.delete(id);
    node("mod-withdrawn").replaceChildren(...state.withdrawn.map((topic) => {
      const item = line(topic, button(texts.restore, "restore", topic),
        topic.author_blocked ? button(texts.unblock, "unblock", topic) : null);
      item.prepend(checkbox(topic, selectedWithdrawn));
      return item;
    }));
    node("mod-blocked").textContent = texts.blocked_count.replace("{n}", state.blocked);
  }

  async function act(action, topicId) {
    const topic = [...wall.topics, ...moderation.pending, ...moderation.withdrawn].find((t) => t.id === topicId);
    if (action === "block" && !window.confirm(texts.confirm_block.replace("{title}", topic ? topic.title : ""))) return;
    if (action === "pin" || action === "unpin") {
      await call("POST", `${eventBase}/topics/${topicId}/${action}`);
      return;
    }
    const body = action === "block" || action === "unblock" ? { topic_id: topicId } : { topic_ids: [topicId] };
    await call("POST", `/${action}`, body);
  }

  async function bulk(action, ids) {
    if (!ids.length) { showError(texts.nothing_selected); return; }
    if (await call("POST", `/${action}`, { topic_ids: ids })) (action === "withdraw" ? selected : selectedWithdrawn).clear();
  }

  node("moderation").addEventListener("click", (event) => {
    const target = event.target.closest("button[data-action]");
    if (target) act(target.dataset.action, Number(target.dataset.topicId));
  });
  node("mod-lock").addEventListener("click", () => call("POST", "/lock", { locked: true, reason: node("mod-reason").value }));
  node("mod-unlock").addEventListener("click", () => call("POST", "/lock", { locked: false }));
  node("mod-premod").addEventListener("change", (event) => call("PATCH", "/settings", { premoderation: event.target.checked }));
  node("mod-cap-save").addEventListener("click", () => {
    const value = node("mod-cap").value.trim();
    call("PATCH", "/settings", { max_topics_per_participant: /^[0-9]+$/.test(value) ? Number(value) : value });
  });
  node("mod-approve-all").addEventListener("click", () => bulk("approve", moderation.pending.map((t) => t.id)));
  node("mod-withdraw-selected").addEventListener("click", () => bulk("withdraw", [...selected]));
  node("mod-restore-selected").addEventListener("click", () => bulk("restore", [...selectedWithdrawn]));
  node("mod-select-recent").addEventListener("click", () => {
    const since = Date.now() - RECENT_MS;
    wall.topics.filter((t) => Date.parse(t.created_at) >= since).forEach((t) => selected.add(t.id));
    renderLive();
  });

  node("mod-rotate").addEventListener("click", async () => {
    if (!window.confirm(texts.confirm_rotate)) return;
    // Requests sent with the old rights while the new link is made would be refused: others wait for it.
    document.dispatchEvent(new CustomEvent("organizer-link-rotating"));
    const data = await call("POST", `${eventBase}/organizer-link`);
    document.dispatchEvent(new CustomEvent("organizer-link-rotated"));
    if (!data) return;
    const link = node("mod-new-link-url");
    link.textContent = data.organizer_link;
    link.href = data.organizer_link;
    node("mod-new-link").hidden = false;
  });
  live.socket.on("moderation_changed", render);
  live.socket.on("connect", () => call("GET", "").then((data) => data && render(data)));
  document.addEventListener("wall-state", (event) => {
    wall = event.detail;
    renderLive();
  });
  renderLive();
  call("GET", "").then((data) => data && render(data));
}

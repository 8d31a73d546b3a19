// Best-place hints: the three free cells the planning ranks best, each with its reasons in words. On the phone's
// post form a tap selects one (any other place stays selectable); on a topic's page its host and the organizers
// see better places and may move it there. User text only ever goes through textContent.
import { el, slotTime } from "./render.js";

const fill = (text, values) => Object.entries(values).reduce((out, [key, value]) => out.replaceAll(`{${key}}`, value), text);

/** GET …/suggestions (?topic=<id> or ?host=<name>): the answer, or null when the server gave none. */
async function ask(slug, query) {
  try {
    const response = await fetch(`/api/events/${encodeURIComponent(slug)}/suggestions?${new URLSearchParams(query)}`, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

/** The best three free places of an answer, or null when the server gave none. */
async function bestThree(slug, query) {
  const data = await ask(slug, query);
  return data && (data.suggestions || []).slice(0, 3);
}

/** What a placed topic costs where it is now, in a sentence (`current` of the answer). */
export function currentText(current, texts) {
  return current.score === 0 ? texts.hint_current_fine : fill(texts.hint_current, { reasons: current.reasons.join("; ") });
}

function placeName(state, locale, roomId, slotId) {
  const room = state.rooms.find((r) => r.id === roomId);
  const slot = state.slots.find((s) => s.id === slotId);
  if (!room || !slot) return "";
  const time = slotTime(slot, locale, state.event.timezone).replaceAll("–", "\u2060–\u2060"); // never broken at the dash
  return `${room.name} · ${time}${slot.label ? ` ${slot.label}` : ""}`;
}

/** The phone's post form: hints above "Where and when"; returns {open(topic), close(), refresh()}. */
export function startPostHints({ slug, form, select, texts, locale, getState }) {
  const box = document.getElementById("cell-hints");
  const list = document.getElementById("cell-hints-list");
  const status = document.getElementById("cell-hints-status");
  let topic = null; // the topic being edited, or null for a new one
  let active = false;
  let timer = null;
  let asked = 0; // answers to older questions are dropped

  function mark() {
    for (const button of list.querySelectorAll("button[data-cell]")) {
      button.setAttribute("aria-pressed", String(button.dataset.cell === select.value));
    }
  }

  async function load() {
    if (!active) return;
    const host = form.elements.host.value.trim();
    if (!topic && !host) {
      box.hidden = false;
      list.replaceChildren();
      status.textContent = texts.hint_need_name;
      return;
    }
    const question = ++asked;
    box.hidden = false;
    if (!list.children.length) status.textContent = texts.hint_loading;
    const best = await bestThree(slug, topic ? { topic: topic.id } : { host });
    if (question !== asked || !active) return;
    const state = getState();
    const offered = new Set([...select.options].map((o) => o.value));
    const shown = (best || []).filter((s) => offered.has(`${s.room_id}:${s.slot_id}`));
    status.textContent = best === null ? texts.hint_failed : shown.length ? "" : texts.hint_none;
    list.replaceChildren(...shown.map((s, i) => {
      const value = `${s.room_id}:${s.slot_id}`;
      const name = placeName(state, locale, s.room_id, s.slot_id);
      return el("li", {}, el("button", { type: "button", className: "hint-choice", dataset: { cell: value }, "aria-pressed": "false" },
        el("span", { className: "hint-rank", "aria-hidden": "true" }, String(i + 1)),
        el("span", { className: "hint-place" }, name),
        el("span", { className: "hint-reasons" }, s.reasons.join("; "))));
    }));
    mark();
  }

  function later(delay = 400) {
    clearTimeout(timer);
    timer = setTimeout(load, delay);
  }

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-cell]");
    if (!button) return;
    select.value = button.dataset.cell;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    const [room, slot] = button.dataset.cell.split(":").map(Number);
    status.textContent = fill(texts.hint_picked, { cell: placeName(getState(), locale, room, slot) });
    mark();
  });
  select.addEventListener("change", mark);
  form.elements.host.addEventListener("input", () => { if (active && !topic) later(500); });

  return {
    open(editing) {
      topic = editing || null;
      active = !(topic && topic.pinned);
      list.replaceChildren();
      status.textContent = "";
      box.hidden = !active;
      if (active) load();
    },
    close() {
      active = false;
      clearTimeout(timer);
      box.hidden = true;
    },
    refresh() { if (active) later(1500); }, // the wall changed: once for a burst of changes
  };
}

/**
 * A topic's page: "Better places" for its host and the organizers: what it costs where it is now, then the best
 * three places that cost less, each with a move button when they may move it (organizers always; the host unless
 * it is pinned or the wall is locked).
 */
export function startTopicHints({ slug, topicId, texts, locale, csrf, organizer, announcer }) {
  const box = document.getElementById("t-hints");
  const here = document.getElementById("t-hints-current");
  const list = document.getElementById("t-hints-list");
  const status = document.getElementById("t-hints-status");
  let state = null;
  let timer = null;
  let asked = 0;
  let moving = false;

  const topicOf = () => state && state.topics.find((t) => t.id === topicId);
  const mayMove = (topic) => organizer || (!topic.pinned && !state.event.locked);

  async function load() {
    const topic = topicOf();
    if (!topic) {
      box.hidden = true;
      return;
    }
    const question = ++asked;
    const data = await ask(slug, { topic: topicId });
    if (question !== asked) return;
    box.hidden = false;
    const current = data && data.current;
    const free = data ? data.suggestions || [] : [];
    const best = free.filter((s) => !current || s.score < current.score).slice(0, 3); // never a worse place
    here.textContent = current ? currentText(current, texts) : "";
    here.hidden = !current;
    status.textContent = data === null ? texts.hint_failed : best.length ? "" : free.length ? texts.hint_already_best : texts.hint_none;
    const movable = mayMove(topic);
    list.replaceChildren(...best.map((s, i) => {
      const name = placeName(state, locale, s.room_id, s.slot_id);
      return el("li", {},
        el("span", { className: "hint-rank", "aria-hidden": "true" }, String(i + 1)),
        el("span", { className: "hint-place" }, name),
        el("span", { className: "hint-reasons" }, s.reasons.join("; ")),
        movable ? el("button", { type: "button", className: "button small", dataset: { room: s.room_id, slot: s.slot_id },
          "aria-label": `${texts.hint_move_here}: ${name}` }, texts.hint_move_here) : null);
    }));
  }

  list.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-room]");
    if (!button || moving) return;
    moving = true;
    button.disabled = true;
    const room = Number(button.dataset.room);
    const slot = Number(button.dataset.slot);
    try {
      const response = await fetch(`/api/events/${encodeURIComponent(slug)}/topics/${topicId}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ room_id: room, slot_id: slot }),
      });
      const data = await response.json().catch(() => ({}));
      status.textContent = data.ok ? fill(texts.hint_moved, { cell: placeName(state, locale, room, slot) }) : data.error || texts.server_error;
      if (announcer) announcer.textContent = status.textContent;
    } catch {
      status.textContent = texts.grid_offline;
    } finally {
      moving = false;
      button.disabled = false;
    }
  });

  return {
    /** The wall changed (or arrived): ask again, once for a burst of changes. */
    update(next) {
      const changed = !state || next.revision !== state.revision;
      state = next;
      if (changed) {
        clearTimeout(timer);
        timer = setTimeout(load, 300);
      }
    },
  };
}

// Results board: every placed session with its result's state, live from the wall's socket, filterable by state.
import { connectWall } from "./live.js";
import { dayKey, dayLabel, el, pageJson, showStatus, slotTime } from "./render.js";

const page = pageJson("page-data");
const texts = pageJson("texts");
const rt = pageJson("result-texts");
const STATES = ["missing", "draft", "documented", "reviewed"];
const list = document.getElementById("board-list");
const filter = document.getElementById("board-filter");
const announcer = document.getElementById("announcer");
let shown = ""; // the state filtered for, "" for all

/** The placed topics in wall order (slot, then room), each with its room and slot. */
function rows(state) {
  const rooms = new Map(state.rooms.map((r, i) => [r.id, { room: r, i }]));
  const slots = new Map(state.slots.map((s, i) => [s.id, { slot: s, i }]));
  return state.topics
    .filter((t) => t.room_id !== null && rooms.has(t.room_id) && slots.has(t.slot_id))
    .map((t) => ({ topic: t, room: rooms.get(t.room_id), slot: slots.get(t.slot_id) }))
    .sort((a, b) => a.slot.i - b.slot.i || a.room.i - b.room.i);
}

function row(state, { topic, room, slot }, multiDay) {
  const tz = state.event.timezone;
  const time = slotTime(slot.slot, page.locale, tz);
  const when = multiDay ? `${dayLabel(slot.slot.starts_at, page.locale, tz)}, ${time}` : time;
  const lang = state.event.language;
  return el("li", { className: "board-row", dataset: { topicId: topic.id, state: topic.result_state } },
    el("span", { className: "board-when" }, when),
    el("span", { className: "board-room" }, room.room.name),
    el("a", { className: "board-title", href: `/e/${encodeURIComponent(page.slug)}/t/${topic.id}`, lang }, topic.title),
    el("span", { className: "board-host", lang }, [topic.host, ...(topic.cohosts || [])].join(", ")),
    el("span", { className: `state-badge state-${topic.result_state}` }, rt[`state_${topic.result_state}`] || topic.result_state));
}

function render(state) {
  const all = rows(state);
  const multiDay = new Set(state.slots.map((s) => dayKey(s.starts_at, state.event.timezone))).size > 1;
  const items = all.filter((r) => !shown || r.topic.result_state === shown).map((r) => row(state, r, multiDay));
  list.replaceChildren(...(items.length ? items : [el("li", { className: "board-empty" }, all.length ? rt.shown.replace("{n}", 0).replace("{total}", all.length) : texts.empty)]));
  filter.querySelector('[data-count=""]').textContent = all.length;
  for (const name of STATES) filter.querySelector(`[data-count="${name}"]`).textContent = all.filter((r) => r.topic.result_state === name).length;
  document.getElementById("board-shown").textContent = shown ? rt.shown.replace("{n}", items.length).replace("{total}", all.length) : "";
  document.body.dataset.revision = state.revision;
}

filter.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  shown = button.dataset.state;
  filter.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
  render(live.state || page.state);
});

const live = connectWall({
  slug: page.slug,
  initial: page.state,
  onState(state, change) {
    render(state);
    if (change && change.type === "result_changed" && change.topic) {
      announcer.textContent = texts.changed.replace("{title}", change.topic.title);
    }
  },
  onStatus(status) { showStatus(document.getElementById("status"), status, texts); },
});
render(page.state);

// A room's page (its door sign's QR code): what runs here now and next, one tap to check in, the live headcount.
import { connectWall } from "./live.js";
import { checkinSlot, headcount, headcountText } from "./counts.js";
import { el, pageJson, showStatus, slotTime } from "./render.js";

const page = pageJson("page-data");
const texts = pageJson("texts");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const button = document.getElementById("checkin");
const note = document.getElementById("checkin-note");
const countNode = document.getElementById("room-headcount");

/** Now (the check-in slot) and the next slot in this room, with whatever topic is placed there. */
function renderRuns(state) {
  const room = state.rooms.find((r) => r.id === page.room_id);
  if (!room) return;
  const tz = state.event.timezone;
  const lang = state.event.language;
  const current = checkinSlot(state.slots);
  const slots = state.slots.filter((s) => !s.is_break);
  const shown = slots.filter((s) => s.id === current).slice(0, 1)
    .concat(slots.filter((s) => s.id !== current && Date.parse(s.starts_at) > Date.now()).slice(0, 1));
  const cards = shown.map((slot) => {
    const topic = state.topics.find((t) => t.room_id === room.id && t.slot_id === slot.id);
    return el("p", { className: "card" },
      el("span", { className: "when" }, `${slot.id === current && Date.parse(slot.starts_at) <= Date.now() ? texts.now_heading : texts.next_heading} · ${slotTime(slot, page.locale, tz)}`),
      topic ? [el("span", { className: "what", lang }, topic.title), el("span", { className: "who", lang }, topic.host)] : el("span", { className: "what" }, texts.free));
  });
  document.getElementById("room-runs").replaceChildren(...cards);
  const count = headcount(state, room.id);
  countNode.textContent = count === null ? "" : headcountText(count, room.capacity, texts);
  countNode.classList.toggle("full", count !== null && Boolean(room.capacity) && count >= room.capacity);
  button.disabled = current === null;
}

async function checkIn() {
  button.disabled = true;
  let answer = null;
  try {
    const response = await fetch(`/api/events/${encodeURIComponent(page.slug)}/rooms/${page.room_id}/checkin`, {
      method: "POST", headers: { "X-CSRFToken": csrf, Accept: "application/json" }, credentials: "same-origin",
    });
    answer = { ok: response.ok, data: await response.json().catch(() => ({})) };
  } catch {
    answer = null;
  }
  button.disabled = false;
  if (answer && answer.ok) {
    note.textContent = texts.checked_in;
    live.update((state) => ({ ...state, headcounts: { slot_id: answer.data.slot_id,
      rooms: { ...(state.headcounts && state.headcounts.slot_id === answer.data.slot_id ? state.headcounts.rooms : {}), [page.room_id]: answer.data.headcount } } }));
    renderRuns(live.state);
    return;
  }
  note.textContent = (answer && answer.data.error) || texts.checkin_error;
}

button.addEventListener("click", checkIn);
const live = connectWall({
  slug: page.slug,
  initial: page.state,
  onState(state) { renderRuns(state); },
  onStatus(status) { showStatus(document.getElementById("status"), status, texts); },
});
renderRuns(page.state);
setInterval(() => renderRuns(live.state || page.state), 30000); // a slot's end takes its headcount with it

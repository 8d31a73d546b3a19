// Projector wall: the full grid, live, now/next highlighted, new topics briefly marked.
import { connectWall } from "./live.js";
import { announce, clock, dayHeadings, el, nowAndNext, pageJson, showStatus, slotTime, topicsByCell } from "./render.js";

const page = pageJson("page-data");
const texts = pageJson("texts");
const locale = page.locale;
const statusNode = document.getElementById("status");
const announcer = document.getElementById("announcer");
const fresh = new Map(); // topic id -> time it arrived
const FRESH_MS = 12000;
const QUEUE_SHOWN = 6;

function topicNodes(topic) {
  return [el("span", { className: "topic-title" }, topic.title), el("span", { className: "topic-host" }, topic.host)];
}

/** A projector cannot scroll: the newest unplaced topics that fit on the screen, then how many more there are. */
function renderQueue(queue, isFresh) {
  const list = document.getElementById("queue");
  if (!queue.length) {
    list.replaceChildren(el("li", { className: "empty" }, texts.empty_queue));
    return;
  }
  const shown = queue.slice(0, QUEUE_SHOWN).map((t) => el("li", { className: isFresh(t) ? "fresh" : null }, topicNodes(t)));
  const more = el("li", { className: "more" });
  list.replaceChildren(...shown, more);
  const count = () => {
    more.hidden = shown.length === queue.length;
    more.textContent = texts.more.replace("{n}", queue.length - shown.length);
  };
  count();
  while (shown.length > 1 && list.getBoundingClientRect().bottom > window.innerHeight) {
    shown.pop().remove();
    count();
  }
}

function render(state) {
  const tz = state.event.timezone;
  const byCell = topicsByCell(state);
  const { current, next } = nowAndNext(state.slots);
  const now = Date.now();
  const isFresh = (topic) => fresh.has(topic.id) && now - fresh.get(topic.id) < FRESH_MS;
  const head = el("tr", {}, el("th", { scope: "col", className: "corner" }), state.rooms.map((room) => el("th", { scope: "col", dataset: { roomId: room.id } }, room.name)));
  const days = dayHeadings(state.slots, locale, tz);
  const rows = state.slots.flatMap((slot, i) => [
    days[i] ? el("tr", { className: "day-row" }, el("th", { colspan: state.rooms.length + 1, scope: "colgroup" }, days[i])) : null,
    el("tr", { className: slot.id === current ? "now" : slot.id === next ? "next" : null, dataset: { slotId: slot.id } },
    el("th", { scope: "row" },
      el("span", { className: "slot-time" }, slotTime(slot, locale, tz)),
      slot.label ? el("span", { className: "slot-label" }, slot.label) : null,
      slot.id === current ? el("span", { className: "badge" }, texts.now) : slot.id === next ? el("span", { className: "badge" }, texts.next) : null),
    state.rooms.map((room) => {
      const topic = byCell.get(`${room.id}:${slot.id}`);
      return el("td", { className: `${topic ? "taken" : "free"}${topic && isFresh(topic) ? " fresh" : ""}`, dataset: { roomId: room.id } }, topic ? topicNodes(topic) : null);
    }))].filter(Boolean));
  const grid = document.getElementById("grid");
  grid.replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
  renderQueue(state.topics.filter((t) => t.room_id === null).reverse(), isFresh);
  const nowSlot = state.slots.find((s) => s.id === current);
  const nextSlot = state.slots.find((s) => s.id === next);
  const line = [];
  if (nowSlot) line.push(`${texts.now}: ${slotTime(nowSlot, locale, tz)}`);
  if (nextSlot) line.push(`${texts.next}: ${clock(nextSlot.starts_at, locale, tz)}`);
  document.getElementById("now-next").textContent = line.join(" · ");
  document.body.dataset.revision = state.revision;
}

const live = connectWall({
  slug: page.slug,
  initial: page.state,
  onState(state, change) {
    if (change && change.topic) fresh.set(change.topic.id, Date.now());
    render(state);
    announce(announcer, change, state, texts);
  },
  onStatus(status) { showStatus(statusNode, status, texts); },
});
render(page.state);
setInterval(() => { if (live.state) render(live.state); }, 15000);

// Conflict view for organizers: every clash on the wall, ranked by people affected; refetched (debounced) whenever
// the wall or the interest counts change.
import { connectWall } from "./live.js";
import { el, pageJson, showStatus, slotTime } from "./render.js";

const page = pageJson("page-data");
const texts = pageJson("texts");
const locale = page.locale;
const url = `/api/events/${encodeURIComponent(page.slug)}/conflicts`;
const $ = (id) => document.getElementById(id);
const KINDS = { host: texts.conflict_host, capacity: texts.conflict_capacity, overlap: texts.conflict_overlap };

let state = page.state;
let timer = null;
let loading = false;
let again = false;
let shown = false;

function slotText(slotId) {
  const slot = state.slots.find((s) => s.id === slotId);
  if (!slot) return "–";
  return [slotTime(slot, locale, state.event.timezone), slot.label].filter(Boolean).join(" · ");
}

function roomText(roomId) {
  const room = state.rooms.find((r) => r.id === roomId);
  return room ? room.name : "–";
}

function topicItem(id) {
  const topic = state.topics.find((t) => t.id === id);
  const href = `/e/${encodeURIComponent(page.slug)}/t/${id}`;
  return el("li", {}, el("a", { href, lang: state.event.language }, topic ? topic.title : `#${id}`));
}

function show(data) {
  const list = data.conflicts || [];
  $("conflicts-error").hidden = true;
  $("conflicts-total").textContent = fill(texts.conflicts_total, { n: data.score });
  $("conflicts-empty").hidden = list.length > 0;
  $("conflicts-table").hidden = list.length === 0;
  $("conflicts-body").replaceChildren(...list.map((c) => el("tr", {},
    el("td", { className: "num people" }, String(c.people)),
    el("td", {}, el("span", { className: `kind kind-${c.kind}` }, KINDS[c.kind] || c.kind)),
    el("td", { className: "when" }, slotText(c.slot_id)),
    el("td", {}, c.room_id === null ? "–" : roomText(c.room_id)),
    el("td", {}, el("ul", { className: "conflict-topics" }, c.topics.map(topicItem))),
    el("td", { className: "text" }, c.text))));
  if (shown) $("announcer").textContent = texts.conflicts_updated;
  shown = true;
  document.body.dataset.conflicts = String(list.length);
}

const fill = (text, values) => Object.entries(values).reduce((out, [key, value]) => out.replaceAll(`{${key}}`, value), text);

async function load() {
  if (loading) {
    again = true;
    return;
  }
  loading = true;
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    show(await response.json());
  } catch {
    $("conflicts-error").textContent = texts.conflicts_failed;
    $("conflicts-error").hidden = false;
  } finally {
    loading = false;
    if (again) {
      again = false;
      load();
    }
  }
}

/** Many changes in a row (a bulk move, a burst of interest) cause one refetch. */
function later() {
  clearTimeout(timer);
  timer = setTimeout(load, 400);
}

const live = connectWall({
  slug: page.slug,
  initial: state,
  onState(next) {
    const changed = next.revision !== state.revision;
    state = next;
    if (changed) later();
  },
  onStatus: (status) => showStatus($("status"), status, texts),
});
live.socket.on("counts_changed", later);
load();

// My schedule: the topics this phone pinned and the ones it marked as interesting, now and next first, live.
import { connectWall } from "./live.js";
import { dayKey, dayLabel, el, pageJson, showStatus, slotTime } from "./render.js";

const page = pageJson("page-data");
const texts = pageJson("texts");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const agenda = document.getElementById("agenda");
const announcer = document.getElementById("announcer");
const mine = new Set(page.mine || []);
const interested = new Set(page.interested || []);
let state = page.state;

/** Which part of the agenda a slot belongs to at `now`: "now", "upcoming" or "past". */
export function slotPhase(slot, now) {
  if (Date.parse(slot.ends_at) <= now) return "past";
  return Date.parse(slot.starts_at) <= now ? "now" : "upcoming";
}

/**
 * The agenda as plain data: groups in the order now, next, later, unplaced, past; each entry a topic with its
 * slot, room, role and the other entries of the same slot (a clash the person must choose in).
 */
export function agendaGroups(wall, own, marked, now) {
  const slots = new Map(wall.slots.map((s, i) => [s.id, { slot: s, i }]));
  const rooms = new Map(wall.rooms.map((r, i) => [r.id, { room: r, i }]));
  const entries = wall.topics
    .filter((t) => own.has(t.id) || marked.has(t.id))
    .map((t) => ({
      topic: t,
      own: own.has(t.id),
      slot: t.slot_id !== null && slots.has(t.slot_id) ? slots.get(t.slot_id) : null,
      room: t.room_id !== null && rooms.has(t.room_id) ? rooms.get(t.room_id) : null,
    }));
  const placed = entries.filter((e) => e.slot && e.room).sort((a, b) => a.slot.i - b.slot.i || a.room.i - b.room.i);
  for (const entry of placed) entry.together = placed.filter((o) => o !== entry && o.slot === entry.slot).map((o) => o.topic.title);
  const current = placed.filter((e) => slotPhase(e.slot.slot, now) === "now");
  const upcoming = placed.filter((e) => slotPhase(e.slot.slot, now) === "upcoming");
  const nextSlot = upcoming.length ? upcoming[0].slot : null;
  return {
    now: current,
    next: upcoming.filter((e) => e.slot === nextSlot),
    later: upcoming.filter((e) => e.slot !== nextSlot),
    unplaced: entries.filter((e) => !(e.slot && e.room) && e.own),
    past: placed.filter((e) => slotPhase(e.slot.slot, now) === "past"),
  };
}

function entryItem(entry, multiDay) {
  const tz = state.event.timezone;
  const lang = state.event.language;
  const { topic } = entry;
  const when = entry.slot
    ? (multiDay ? `${dayLabel(entry.slot.slot.starts_at, page.locale, tz)}, ` : "") + slotTime(entry.slot.slot, page.locale, tz)
    : null;
  const room = entry.room ? [entry.room.room.name, entry.room.room.location].filter(Boolean).join(" · ") : null;
  const parts = [
    when ? el("span", { className: "agenda-when" }, when) : null,
    room ? el("span", { className: "agenda-room" }, room) : null,
    el("a", { className: "agenda-title", href: `/e/${encodeURIComponent(page.slug)}/t/${topic.id}`, lang }, topic.title),
    el("span", { className: "agenda-host", lang }, [topic.host, ...(topic.cohosts || [])].join(", ")),
    el("span", { className: `agenda-role ${entry.own ? "role-own" : "role-interested"}` }, entry.own ? texts.own : texts.interested),
  ];
  if (entry.together && entry.together.length) {
    const titles = entry.together.map((title) => `“${title}”`).join(", ");
    // A host is at their own session; everyone else chooses with their feet.
    parts.push(el("span", { className: "agenda-clash" }, texts.together.replace("{titles}", titles), entry.own ? null : ` ${texts.two_feet}`));
  }
  if (!entry.own) {
    parts.push(el("button", {
      type: "button", className: "button small agenda-remove", dataset: { remove: topic.id },
      "aria-label": texts.remove_label.replace("{title}", topic.title),
    }, texts.remove));
  }
  return el("li", { className: "agenda-item", dataset: { topicId: topic.id } }, ...parts);
}

function group(name, entries, multiDay, { emptyText = null, collapsed = false } = {}) {
  if (!entries.length && !emptyText) return null;
  const list = entries.length
    ? el("ol", { className: "agenda-list" }, ...entries.map((e) => entryItem(e, multiDay)))
    : el("p", { className: "hint agenda-none" }, emptyText);
  if (collapsed) return el("details", { className: `agenda-group group-${name}`, dataset: { group: name } }, el("summary", {}, `${texts[name]} (${entries.length})`), list);
  return el("section", { className: `agenda-group group-${name}`, dataset: { group: name } }, el("h2", {}, texts[name]), list);
}

function render() {
  const groups = agendaGroups(state, mine, interested, Date.now());
  const multiDay = new Set(state.slots.map((s) => dayKey(s.starts_at, state.event.timezone))).size > 1;
  const any = Object.values(groups).some((g) => g.length);
  if (!any) {
    agenda.replaceChildren(el("p", { className: "notice agenda-empty" }, texts.empty));
  } else {
    agenda.replaceChildren(...[
      group("now", groups.now, multiDay, { emptyText: texts.nothing_now }),
      group("next", groups.next, multiDay),
      group("later", groups.later, multiDay),
      group("unplaced", groups.unplaced, multiDay),
      group("past", groups.past, multiDay, { collapsed: true }),
    ].filter(Boolean));
  }
  document.body.dataset.revision = state.revision;
}

agenda.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-remove]");
  if (!button) return;
  const id = Number(button.dataset.remove);
  const topic = state.topics.find((t) => t.id === id);
  button.disabled = true;
  const response = await fetch(`/api/events/${encodeURIComponent(page.slug)}/topics/${id}/interest`, {
    method: "DELETE", headers: { "X-CSRFToken": csrf }, credentials: "same-origin",
  }).catch(() => null);
  if (response && response.ok) {
    interested.delete(id);
    announcer.textContent = texts.removed.replace("{title}", topic ? topic.title : "");
    render();
  } else {
    button.disabled = false;
    announcer.textContent = texts.failed;
  }
});

// The personal feed: a new address in two taps (the old one stops working at once); copy.js copies it.
const feedUrl = document.getElementById("feed-url");
const message = document.getElementById("feed-message");
function showFeed(url) {
  feedUrl.textContent = url;
  document.getElementById("feed-copy").dataset.copy = url; // copy.js copies what the button holds
  document.getElementById("feed-subscribe").href = url.replace(/^https?:\/\//, "webcal://");
}
document.getElementById("feed-reset")?.addEventListener("click", () => {
  const confirm = document.getElementById("feed-reset-confirm");
  confirm.hidden = false;
  confirm.focus();
});
document.getElementById("feed-reset-confirm")?.addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  const response = await fetch(`/api/events/${encodeURIComponent(page.slug)}/me/feed-key`, {
    method: "POST", headers: { "X-CSRFToken": csrf, "Content-Type": "application/json" }, body: "{}", credentials: "same-origin",
  }).catch(() => null);
  button.disabled = false;
  message.hidden = false;
  if (response && response.ok) {
    showFeed((await response.json()).feed_url);
    button.hidden = true;
    message.textContent = texts.reset_done;
  } else {
    message.textContent = texts.failed;
  }
});

connectWall({
  slug: page.slug,
  initial: page.state,
  onState(wall, change, own) {
    state = wall;
    if (own) { mine.clear(); own.forEach((id) => mine.add(id)); }
    render();
    if (change && change.topic && (mine.has(change.topic.id) || interested.has(change.topic.id))) {
      announcer.textContent = texts.changed.replace("{title}", change.topic.title);
    }
  },
  onStatus(status) { showStatus(document.getElementById("status"), status, texts); },
});
render();
setInterval(render, 30000); // now and next move on with the clock

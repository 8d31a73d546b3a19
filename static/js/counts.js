// Interest counts and headcounts: applied from `counts_changed`, shown as quiet badges (phone, wall, room page).
import { el } from "./render.js";

const SOON_MS = 10 * 60 * 1000; // a slot starting within ten minutes is "now" for check-ins (counts.py SOON)

/** Apply one `counts_changed` message to a wall state and return the new state (no revision: counts have none). */
export function applyCounts(state, message) {
  let next = state;
  if (message.interest) {
    const counts = message.interest;
    const counted = (topic) => (topic && String(topic.id) in counts ? { ...topic, interest: counts[topic.id] } : topic);
    next = { ...next, topics: next.topics.map(counted) };
    if (next.marketplace && next.marketplace.open) {
      next.marketplace = { ...next.marketplace, current: counted(next.marketplace.current), next: next.marketplace.next.map(counted) };
    }
  }
  if (message.headcounts) {
    const was = next.headcounts || { slot_id: null, rooms: {} };
    const same = was.slot_id === message.headcounts.slot_id;
    // The same slot: the rooms carried changed, the others stay; a new slot: its rooms replace the old ones.
    const rooms = same ? { ...was.rooms, ...message.headcounts.rooms } : { ...message.headcounts.rooms };
    next = { ...next, headcounts: { slot_id: message.headcounts.slot_id, rooms } };
  }
  return next;
}

/** The slot check-ins go to now: the running one (not a break), else one starting within ten minutes. */
export function checkinSlot(slots, now = Date.now()) {
  let soon = null;
  for (const slot of slots) {
    if (slot.is_break) continue;
    const start = Date.parse(slot.starts_at);
    if (start <= now && now < Date.parse(slot.ends_at)) return slot.id;
    if (soon === null && now < start && start <= now + SOON_MS) soon = slot.id;
  }
  return soon;
}

/** How many are checked into a room for the current slot; null when no slot is current. Counts of a slot that has
 * ended are never shown: once the clock passes its end, every room counts 0 until the next check-in arrives. */
export function headcount(state, roomId, now = Date.now()) {
  const slotId = checkinSlot(state.slots, now);
  if (slotId === null) return null;
  const heads = state.headcounts;
  if (!heads || heads.slot_id !== slotId) return 0;
  return heads.rooms[String(roomId)] || 0;
}

/** "12 / 20 · space left", "20 / 20 · full", or "12 here" for a room without a known capacity. */
export function headcountText(count, capacity, texts) {
  if (!capacity) return texts.headcount_here.replace("{n}", count);
  const ratio = `${count} / ${capacity}`;
  return `${ratio} · ${count >= capacity ? texts.headcount_full : texts.headcount_free}`;
}

/** The quiet headcount line of a room in the current slot (nothing outside a slot). */
export function headcountNode(state, room, texts, now = Date.now()) {
  const count = headcount(state, room.id, now);
  if (count === null) return null;
  const full = Boolean(room.capacity) && count >= room.capacity;
  return el("span", { className: `headcount${full ? " full" : ""}`, dataset: { headcount: count } }, headcountText(count, room.capacity, texts));
}

/** The quiet interest badge of a topic ("7 interested"); nothing while no one is. */
export function interestBadge(topic, texts) {
  const n = topic.interest || 0;
  if (!n) return null;
  return el("span", { className: "interest-count", dataset: { interest: n } }, texts.interest_count.replace("{n}", n));
}

/** The phone's one-tap toggle: pressed while this phone marked the topic. */
export function interestToggle(topic, marked, texts) {
  const on = marked.has(topic.id);
  return el("button", {
    type: "button",
    className: `interest-toggle${on ? " on" : ""}`,
    "aria-pressed": String(on),
    "aria-label": texts.interest_label.replace("{title}", topic.title),
    dataset: { interest: topic.id },
  }, el("span", { "aria-hidden": "true" }, on ? "★ " : "☆ "), texts.interest_me);
}

/** Send a mark (on) or take it back (off); resolves to the server's answer, or { error } when refused or offline. */
export async function sendInterest(slug, topicId, on, csrf) {
  try {
    const response = await fetch(`/api/events/${encodeURIComponent(slug)}/topics/${topicId}/interest`, {
      method: on ? "POST" : "DELETE",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    return response.ok ? data : { error: data.error || null };
  } catch {
    return { error: null };
  }
}

/** The state with one topic's count as the server just answered it (the coalesced message follows later). */
export function withInterest(state, topicId, count) {
  return { ...state, topics: state.topics.map((t) => (t.id === topicId ? { ...t, interest: count } : t)) };
}

/** A selector for the focused element inside `container` (by tag, data attributes and link), or null. Counts
 * re-render the list every second at most; the keyboard's place must survive that. */
export function focusKey(container) {
  const active = document.activeElement;
  if (!active || active === container || !container.contains(active)) return null;
  const attrs = Object.entries(active.dataset).map(([name, value]) => `[data-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${CSS.escape(value)}"]`);
  const href = active.getAttribute("href");
  if (href) attrs.push(`[href="${CSS.escape(href)}"]`);
  return attrs.length ? active.tagName.toLowerCase() + attrs.join("") : null;
}

/** Focus again what `focusKey` named, after a re-render (without scrolling). */
export function restoreFocus(container, key) {
  if (key && document.activeElement !== container.querySelector(key)) container.querySelector(key)?.focus({ preventScroll: true });
}

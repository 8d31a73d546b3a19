// DOM helpers shared by the phone and projector views: user text only ever goes through textContent.

/** Create an element with attributes and children (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "className") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** The JSON the page embedded in <script type="application/json" id=...>. */
export function pageJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
}

/** HH:MM of an ISO timestamp with offset, shown in the event's time zone. */
export function clock(iso, locale, timeZone) {
  return new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hour12: false, timeZone }).format(new Date(iso));
}

/** Label of a slot: "10:00–11:00" plus its own label. */
export function slotTime(slot, locale, timeZone) {
  return `${clock(slot.starts_at, locale, timeZone)}–${clock(slot.ends_at, locale, timeZone)}`;
}

/** Map "roomId:slotId" -> topic for the placed topics. */
export function topicsByCell(state) {
  const map = new Map();
  for (const topic of state.topics) {
    if (topic.room_id !== null) map.set(`${topic.room_id}:${topic.slot_id}`, topic);
  }
  return map;
}

/** Ids of the slot running now and the next one to start. */
export function nowAndNext(slots, now = new Date()) {
  let current = null;
  let next = null;
  for (const slot of slots) {
    const start = new Date(slot.starts_at);
    const end = new Date(slot.ends_at);
    if (start <= now && now < end && current === null) current = slot.id;
    else if (start > now && next === null) next = slot.id;
  }
  return { current, next };
}

/** Show the connection state ("live", "reconnecting", "connecting") in the status element. */
export function showStatus(node, status, texts) {
  node.dataset.state = status;
  node.textContent = texts[status] || status;
}

/** Announce a change to screen readers through the polite live region. */
export function announce(node, change, state, texts) {
  if (!node || !change) return;
  const topic = change.topic;
  const label = texts[`announce_${change.type.replace("topic_", "")}`] || "";
  node.textContent = topic ? `${label}: ${topic.title}` : label;
}

/** The calendar day (YYYY-MM-DD) of an ISO timestamp in the event's time zone. */
export function dayKey(iso, timeZone) {
  return new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone }).format(new Date(iso));
}

/** Weekday and date in the page's language, e.g. "Freitag, 27. Februar 2026" (as the server renders it). */
export function dayLabel(iso, locale, timeZone) {
  const options = { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone };
  return new Intl.DateTimeFormat(locale, options).format(new Date(iso));
}

/** For each slot, the day heading to put before it (null when the day did not change or all slots share a day). */
export function dayHeadings(slots, locale, timeZone) {
  const keys = slots.map((slot) => dayKey(slot.starts_at, timeZone));
  const multi = new Set(keys).size > 1;
  return slots.map((slot, i) => (multi && (i === 0 || keys[i] !== keys[i - 1]) ? dayLabel(slot.starts_at, locale, timeZone) : null));
}

/** The announcements still to show at `now` (the server drops expired ones too, but only at its next read). */
export function shownAnnouncements(state, now = Date.now()) {
  return (state.announcements || []).filter((a) => a.until === null || Date.parse(a.until) > now);
}

/** One list item per announcement shown: its text and, if it expires, "until HH:MM". */
export function announcementItems(state, texts, locale) {
  return shownAnnouncements(state).map((a) => el("li", { className: "announcement", dataset: { announcementId: a.id }, lang: state.event.language },
    el("span", { className: "announcement-text" }, a.text),
    a.until ? el("span", { className: "announcement-until" }, texts.until.replace("{time}", clock(a.until, locale, state.event.timezone))) : null));
}

const expiryTimers = new Map();

/** Call `rerender` once the first shown announcement expires (a later call with the same key replaces it). */
export function rerenderAtExpiry(key, state, rerender) {
  clearTimeout(expiryTimers.get(key));
  const times = shownAnnouncements(state).filter((a) => a.until !== null).map((a) => Date.parse(a.until));
  if (!times.length) return;
  const wait = Math.min(...times) - Date.now() + 50;
  expiryTimers.set(key, setTimeout(rerender, Math.min(Math.max(wait, 0), 2 ** 31 - 1)));
}

/** The lock notice: the fixed sentence and the organizers' reason, or "" when the wall is open. */
export function lockText(state, texts) {
  return state.event.locked ? [texts.locked, state.event.lock_reason].filter(Boolean).join(" ") : "";
}

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

// One topic's page: stays live through the wall's socket; its host and the organizers edit its text here.
import { interestBadge } from "./counts.js";
import { connectWall } from "./live.js";
import { dayKey, dayLabel, pageJson, showStatus, slotTime } from "./render.js";
import { startResult } from "./result.js";
import { startTopicHints } from "./hints.js";

const page = pageJson("page-data");
const texts = pageJson("texts");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const FIELDS = ["title", "host", "goal", "context"];
const form = document.getElementById("t-form");
const panel = document.getElementById("t-form-panel");
const formError = document.getElementById("t-form-error");
const editButton = document.getElementById("t-edit");
const announcer = document.getElementById("announcer");
let mine = page.mine;
let current = null; // the topic as the wall shows it now, or null once withdrawn
let live = null;

function byId(id) {
  return document.getElementById(id);
}

/** Room, day and time of a placed topic, as the phone list shows them (in the event's time zone). */
function renderWhere(state, topic) {
  const where = byId("t-where");
  const room = state.rooms.find((r) => r.id === topic.room_id);
  const slot = state.slots.find((s) => s.id === topic.slot_id);
  const parts = [];
  if (room && slot) {
    const tz = state.event.timezone;
    const multiDay = new Set(state.slots.map((s) => dayKey(s.starts_at, tz))).size > 1;
    const time = slotTime(slot, page.locale, tz);
    parts.push(span("where-room", "t-room", room.name));
    parts.push(span("where-time", "t-time", multiDay ? `${dayLabel(slot.starts_at, page.locale, tz)}, ${time}` : time));
    if (room.location) parts.push(span("where-location", "t-location", room.location));
  } else {
    parts.push(span("where-room", "t-room", texts.unplaced));
  }
  where.replaceChildren(...parts);
}

function span(className, id, text) {
  const node = document.createElement("span");
  node.className = className;
  node.id = id;
  node.textContent = text;
  return node;
}

function mayEdit(state) {
  return (page.organizer || mine) && (page.organizer || !state.event.locked);
}

function render(state) {
  current = state.topics.find((t) => t.id === page.topic_id) || null;
  byId("withdrawn-notice").hidden = current !== null;
  byId("topic").hidden = current === null;
  if (!current) {
    panel.hidden = true;
    document.title = `${texts.topic_withdrawn} – ${state.event.name}`;
    return;
  }
  renderWhere(state, current);
  byId("t-title").textContent = current.title;
  const hosts = [current.host, ...(current.cohosts || [])];
  byId("t-hosts-label").textContent = `${hosts.length > 1 ? texts.hosts : texts.host}:`;
  byId("t-hosts").textContent = hosts.join(", ");
  const interest = interestBadge(current, texts);
  byId("t-interest").replaceChildren(...(interest ? [interest] : []));
  byId("t-interest").hidden = !interest;
  for (const part of ["goal", "context"]) {
    byId(`t-${part}`).textContent = current[part];
    byId(`t-${part}-part`).hidden = !current[part];
  }
  editButton.hidden = !mayEdit(state) || !panel.hidden;
  document.title = `${current.title} – ${state.event.name}`;
}

function touches(change) {
  if (!change) return false;
  const carried = change.topics || (change.topic ? [change.topic] : []);
  return carried.some((t) => t.id === page.topic_id) || change.topic_id === page.topic_id
    || (change.removed || []).includes(page.topic_id) || "rooms" in change || "slots" in change || "event" in change;
}

function openForm() {
  for (const name of FIELDS) form.elements[name].value = current[name];
  clearErrors();
  panel.hidden = false;
  editButton.hidden = true;
  form.elements.title.focus();
}

function closeForm() {
  panel.hidden = true;
  if (live && live.state) render(live.state);
}

function clearErrors() {
  formError.hidden = true;
  formError.textContent = "";
  form.querySelectorAll(".field-error").forEach((p) => { p.hidden = true; p.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((f) => f.removeAttribute("aria-invalid"));
}

function showErrors(message, fields = {}) {
  formError.textContent = message;
  formError.hidden = false;
  for (const [name, text] of Object.entries(fields)) {
    const slot = form.querySelector(`.field-error[data-for="${name}"]`);
    if (slot) { slot.textContent = text; slot.hidden = false; }
    if (form.elements[name]) form.elements[name].setAttribute("aria-invalid", "true");
  }
}

async function save(event) {
  event.preventDefault();
  clearErrors();
  const body = Object.fromEntries(FIELDS.map((name) => [name, form.elements[name].value]));
  const submit = byId("te-submit");
  submit.disabled = true;
  let response;
  let data;
  try {
    response = await fetch(`/api/events/${encodeURIComponent(page.slug)}/topics/${page.topic_id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body),
    });
    data = await response.json().catch(() => ({ ok: false, error: texts.server_error }));
  } catch {
    data = { ok: false, error: texts.offline_error };
  }
  submit.disabled = false;
  if (!data.ok) {
    showErrors(data.error || texts.server_error, data.fields || {});
    return;
  }
  announcer.textContent = texts.saved;
  closeForm();
}

editButton.addEventListener("click", openForm);
byId("te-cancel").addEventListener("click", closeForm);
form.addEventListener("submit", save);

// The results section (absent on a withdrawn topic's page); its host and the organizers may delete photos.
const resultChanged = page.result
  ? startResult({ page, rt: pageJson("result-texts"), csrf, mayDeletePhotos: () => mine || page.organizer })
  : null;

// Better places for its host and the organizers (the section is on their page only).
const hints = byId("t-hints")
  ? startTopicHints({ slug: page.slug, topicId: page.topic_id, texts, locale: page.locale, csrf, organizer: page.organizer, announcer })
  : null;

live = connectWall({
  slug: page.slug,
  initial: null,
  onState(state, change, ownIds) {
    if (ownIds) mine = ownIds.includes(page.topic_id);
    render(state);
    if (hints) hints.update(state);
    if (resultChanged) resultChanged(change);
    // A result's change is told by the results section; other changes of this topic here.
    if (touches(change) && change.type !== "result_changed") announcer.textContent = current ? texts.topic_changed : texts.topic_withdrawn;
    document.body.dataset.revision = state.revision;
  },
  onStatus(status) { showStatus(byId("status"), status, texts); },
});
editButton.hidden = !((page.organizer || mine) && (page.organizer || !page.locked)) || byId("topic").hidden;

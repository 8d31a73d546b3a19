// Phone view: the wall as a list by slot, posting and editing Anliegen, live updates.
import { connectWall } from "./live.js";
import {
  announce, announcementItems, clock, dayHeadings, el, lockText, nowAndNext, pageJson, rerenderAtExpiry, showStatus, slotTime, topicsByCell,
} from "./render.js";
import {
  checkinSlot, focusKey, headcountNode, interestBadge, interestToggle, restoreFocus, sendInterest, withInterest,
} from "./counts.js";
import { startPostHints } from "./hints.js";

const page = pageJson("page-data");
const texts = pageJson("texts");
const rt = pageJson("result-texts");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const locale = page.locale;
const mine = new Set(page.mine || []);
const marked = new Set(page.marked || []); // topics this phone marked "interested"
const HOST_KEY = "openspace.host";

const form = document.getElementById("topic-form");
const panel = document.getElementById("form-panel");
const cellSelect = document.getElementById("f-cell");
const formError = document.getElementById("form-error");
const statusNode = document.getElementById("status");
const announcer = document.getElementById("announcer");
let editing = null; // topic being edited, or null for a new post
let requestId = null; // idempotency key of the post being sent
let live = null;
let freshId = null;
const hints = startPostHints({ slug: page.slug, form, select: cellSelect, texts, locale, getState: () => (live && live.state) || page.state });

/** The language topic text is written in (the event's), so the browser hyphenates it correctly. */
function textLang() {
  return (live && live.state ? live.state : page.state).event.language;
}

/** A break (lunch, coffee) holds no topics: a divider with its label and time, no cells. */
function breakDivider(slot, tz) {
  return el("section", { className: "slot break", dataset: { slotId: slot.id } },
    el("h2", { className: "break-head" },
      el("span", { className: "slot-time" }, slotTime(slot, locale, tz)),
      slot.label ? el("span", { className: "slot-label", lang: textLang() }, slot.label) : null));
}

function canChange(topic) {
  return page.organizer || mine.has(topic.id);
}

function topicBlock(topic) {
  const lang = textLang();
  const href = `/e/${encodeURIComponent(page.slug)}/t/${topic.id}`;
  const parts = [el("a", { className: "topic-title", href, lang }, topic.title), el("span", { className: "topic-host", lang }, topic.host)];
  if (topic.pinned) parts.push(el("span", { className: "pinned-mark" }, texts.pinned));
  if (DOCUMENTED.has(topic.result_state)) parts.push(resultMark());
  if (topic.goal) parts.push(el("span", { className: "topic-goal", lang }, `${texts.goal}: ${topic.goal}`));
  if (topic.context) parts.push(el("span", { className: "topic-context", lang }, `${texts.context}: ${topic.context}`));
  parts.push(el("span", { className: "interest" }, interestToggle(topic, marked, texts), interestBadge(topic, texts)));
  if (canChange(topic) && wallOpen(live && live.state ? live.state : page.state)) {
    parts.push(el("span", { className: "topic-actions" },
      el("button", { type: "button", className: "button small", dataset: { edit: topic.id } }, texts.edit),
      el("button", { type: "button", className: "button small danger", dataset: { withdraw: topic.id } }, texts.withdraw)));
  }
  return parts;
}

const DOCUMENTED = new Set(["documented", "reviewed"]);

/** The quiet mark of a session whose results are written down. */
function resultMark() {
  return el("span", { className: "result-mark" }, el("span", { "aria-hidden": "true" }, `✓ ${rt.mark}`), el("span", { className: "sr-only" }, rt.mark_label));
}

const DISMISSED_KEY = `openspace.result-reminders.${page.slug}`;

function dismissed() {
  try {
    const ids = JSON.parse(localStorage.getItem(DISMISSED_KEY) || "[]");
    return new Set(Array.isArray(ids) ? ids : []);
  } catch {
    return new Set();
  }
}

/** Remind this device's hosts to write the results down once their session's slot has ended. */
function renderReminders(state, now = Date.now()) {
  const box = document.getElementById("result-reminders");
  if (!box) return;
  const ended = new Set(state.slots.filter((s) => Date.parse(s.ends_at) <= now).map((s) => s.id));
  const gone = dismissed();
  const due = state.topics.filter((t) => mine.has(t.id) && t.room_id !== null && ended.has(t.slot_id)
    && (t.result_state === "missing" || t.result_state === "draft") && !gone.has(t.id));
  box.replaceChildren(...due.map((t) => el("p", { className: "notice result-reminder", dataset: { topicId: t.id } },
    el("a", { href: `/e/${encodeURIComponent(page.slug)}/t/${t.id}#results`, lang: state.event.language }, rt.reminder.replace("{title}", t.title)),
    el("button", { type: "button", className: "button small", dataset: { dismissReminder: t.id }, "aria-label": rt.dismiss_label.replace("{title}", t.title) }, "×"))));
  box.hidden = !due.length;
}

function cellItem(topic, room, slot) {
  const classes = ["cell", topic ? "taken" : "free"];
  if (topic && mine.has(topic.id)) classes.push("mine");
  if (topic && topic.id === freshId) classes.push("fresh");
  const item = el("li", { className: classes.join(" "), dataset: room ? { roomId: room.id, slotId: slot.id } : { topicId: topic.id } });
  if (room) item.append(el("span", { className: "room-name" }, room.name), ...[roomMeta(room)].filter(Boolean));
  if (room && slot.id === checkinSlot(currentState().slots)) item.append(...[headcountNode(currentState(), room, texts)].filter(Boolean));
  if (topic) item.append(...topicBlock(topic));
  else if (wallOpen(live && live.state ? live.state : page.state)) item.append(el("button", { type: "button", className: "claim", dataset: { roomId: room.id, slotId: slot.id } }, `${texts.free} – ${texts.claim}`));
  else item.append(el("span", { className: "free-label" }, texts.free));
  return item;
}

/** Where the room is and how many it holds, when the organizers said so. */
function roomMeta(room) {
  const parts = [room.location, room.capacity ? texts.places.replace("{n}", room.capacity) : null].filter(Boolean);
  return parts.length ? el("span", { className: "room-meta" }, parts.join(" · ")) : null;
}

/** The bar of slot times that stays at the top: one tap jumps to a slot. */
function renderSlotBar(state, current, next) {
  const tz = state.event.timezone;
  const links = state.slots.filter((s) => !s.is_break).map((slot) =>
    el("a", { href: `#slot-${slot.id}`, className: slot.id === current ? "now" : slot.id === next ? "next" : null,
      "aria-current": slot.id === current ? "time" : null }, clock(slot.starts_at, locale, tz)));
  const bar = document.getElementById("slot-links");
  const scrolled = bar.scrollLeft;
  bar.replaceChildren(...links);
  const shown = bar.querySelector("a.now") || bar.querySelector("a.next");
  // The first time, bring the current slot's time into sight in the bar; afterwards it stays where it was.
  bar.scrollLeft = shown && !barPlaced ? Math.max(0, shown.offsetLeft - bar.offsetLeft - 8) : scrolled;
  barPlaced = barPlaced || Boolean(shown);
}
let barPlaced = false;

/** Whether any cell outside the breaks is still free. */
function anyFreeCell(state) {
  const byCell = topicsByCell(state);
  return state.slots.some((slot) => !slot.is_break && state.rooms.some((room) => !byCell.has(`${room.id}:${slot.id}`)));
}

/** Whether this page may change the wall now: a locked wall is the organizers' alone. */
function wallOpen(state) {
  return page.organizer || !state.event.locked;
}

/** The lock and its reason, the announcements, the marketplace and the pre-moderation hint, as the state says. */
function showPhase(state) {
  const notice = document.getElementById("locked-notice");
  notice.hidden = !state.event.locked;
  notice.textContent = lockText(state, texts);
  const open = wallOpen(state);
  document.getElementById("open-form").disabled = !open;
  const submit = document.getElementById("f-submit");
  // A form already open when the wall locks says why it cannot be sent, instead of failing on "Pin it".
  if (!open && !panel.hidden) showErrors(lockText(state, texts));
  else if (open && submit.dataset.locked) clearErrors();
  submit.disabled = !open;
  if (open) delete submit.dataset.locked;
  else submit.dataset.locked = "true";
  document.getElementById("premod-hint").hidden = !state.event.premoderation || page.organizer;
  const list = document.getElementById("announcements");
  const items = announcementItems(state, texts, locale);
  list.replaceChildren(...items);
  list.hidden = !items.length;
  rerenderAtExpiry("phone", state, () => showPhase(live && live.state ? live.state : state));
  const market = state.marketplace;
  const marketNotice = document.getElementById("market-notice");
  marketNotice.hidden = !market.open || !market.current;
  marketNotice.textContent = market.current
    ? texts.market_now.replace("{title}", market.current.title).replace("{n}", market.position + 1).replace("{total}", market.total)
    : "";
}

function renderWall(state) {
  showPhase(state);
  const tz = state.event.timezone;
  const byCell = topicsByCell(state);
  const { current, next } = nowAndNext(state.slots);
  const days = dayHeadings(state.slots, locale, tz);
  const sections = state.slots.flatMap((slot, i) => {
    const badge = slot.id === current ? texts.now : slot.id === next ? texts.next : null;
    const day = days[i] ? [el("h2", { className: "day-head" }, days[i])] : [];
    if (slot.is_break) return [...day, breakDivider(slot, tz)];
    return [...day, el("section", { className: `slot${slot.id === current ? " now" : ""}${slot.id === next ? " next" : ""}`, id: `slot-${slot.id}`, dataset: { slotId: slot.id } },
      el("h2", { className: "slot-head" },
        el("span", { className: "slot-time" }, slotTime(slot, locale, tz)),
        slot.label ? el("span", { className: "slot-label" }, slot.label) : null,
        badge ? el("span", { className: "badge" }, badge) : null),
      el("ul", { className: "cells" }, state.rooms.map((room) => cellItem(byCell.get(`${room.id}:${slot.id}`), room, slot))))];
  });
  const queue = state.topics.filter((t) => t.room_id === null);
  sections.push(el("section", { className: "slot unplaced" },
    el("h2", { className: "slot-head" }, texts.unplaced),
    el("ul", { className: "cells" }, queue.length ? queue.map((t) => cellItem(t, null, null)) : el("li", { className: "cell empty" }, texts.empty_queue))));
  const wallNode = document.getElementById("wall");
  const focused = focusKey(wallNode);
  wallNode.replaceChildren(...sections);
  restoreFocus(wallNode, focused);
  renderSlotBar(state, current, next);
  document.getElementById("full-notice").hidden = anyFreeCell(state);
  renderReminders(state);
  document.dispatchEvent(new CustomEvent("wall-state", { detail: state }));
  if (!panel.hidden) {
    fillCells(state, cellSelect.value);
    warnIfTaken(state);
    hints.refresh();
  }
}

function fillCells(state, wanted) {
  const tz = state.event.timezone;
  const byCell = topicsByCell(state);
  const options = [el("option", { value: "" }, texts.no_cell)];
  for (const slot of state.slots.filter((s) => !s.is_break)) {
    const group = el("optgroup", { label: `${slotTime(slot, locale, tz)}${slot.label ? ` ${slot.label}` : ""}` });
    for (const room of state.rooms) {
      const value = `${room.id}:${slot.id}`;
      const holder = byCell.get(value);
      const label = `${room.name} · ${slotTime(slot, locale, tz)}`;
      if (holder && (!editing || holder.id !== editing.id)) {
        // A cell taken while the form was open stays selected (marked), so the choice never changes silently.
        if (value === wanted) group.append(el("option", { value }, `${label} – ${texts.taken}: ${holder.title}`));
        continue;
      }
      group.append(el("option", { value }, label));
    }
    if (group.children.length) options.push(group);
  }
  cellSelect.replaceChildren(...options);
  cellSelect.value = [...cellSelect.options].some((o) => o.value === wanted) ? wanted : "";
}

/** Tell the person filling the form at once when someone else just took the cell they chose. */
function warnIfTaken(state) {
  if (panel.hidden || !cellSelect.value) return;
  const holder = topicsByCell(state).get(cellSelect.value);
  if (!holder || (editing && holder.id === editing.id)) return;
  if (!editing && mine.has(holder.id) && holder.title === form.elements.title.value.trim()) {
    // The post went through but its answer was lost with the connection: it is on the wall already.
    freshId = holder.id;
    announcer.textContent = texts.posted;
    form.reset();
    closeForm();
    return;
  }
  showErrors(texts.taken_by.replace("{title}", holder.title).replace("{host}", holder.host), { room_id: texts.choose_other });
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
    const slot = form.querySelector(`.field-error[data-for="${name === "slot_id" ? "room_id" : name}"]`);
    if (slot) { slot.textContent = text; slot.hidden = false; }
    const input = form.elements[name === "room_id" || name === "slot_id" ? "cell" : name];
    if (input) input.setAttribute("aria-invalid", "true");
  }
}

function openForm(topic, cell) {
  editing = topic;
  requestId = null;
  clearErrors();
  const othersTopic = topic && !mine.has(topic.id); // an organizer editing someone else's Anliegen
  document.getElementById("form-heading").textContent = topic ? (othersTopic ? texts.edit_other_title : texts.edit_title) : texts.new_title;
  document.getElementById("f-submit").textContent = topic ? texts.save : texts.post;
  if (topic) {
    for (const name of ["title", "host", "goal", "context"]) form.elements[name].value = topic[name];
  } else {
    restoreDraft();
    if (!form.elements.host.value) form.elements.host.value = localStorage.getItem(HOST_KEY) || "";
  }
  const wanted = topic && topic.room_id !== null ? `${topic.room_id}:${topic.slot_id}` : cell || "";
  fillCells(live.state, wanted);
  panel.hidden = false;
  hints.open(topic);
  panel.scrollIntoView({ block: "start" });
  form.elements.title.focus();
}

const DRAFT_KEY = `openspace.draft.${page.slug}`;
const DRAFT_FIELDS = ["title", "host", "goal", "context"];

/** Keep what is typed into a new post, so a reload (or a phone that dropped the tab) loses nothing. */
function saveDraft() {
  if (editing) return;
  const draft = Object.fromEntries(DRAFT_FIELDS.map((name) => [name, form.elements[name].value]));
  draft.cell = cellSelect.value;
  if (DRAFT_FIELDS.some((name) => draft[name].trim())) localStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
}

function restoreDraft() {
  let draft = null;
  try { draft = JSON.parse(localStorage.getItem(DRAFT_KEY) || "null"); } catch { draft = null; }
  if (!draft || typeof draft !== "object") return;
  for (const name of DRAFT_FIELDS) if (typeof draft[name] === "string" && !form.elements[name].value) form.elements[name].value = draft[name];
  if (typeof draft.cell === "string" && [...cellSelect.options].some((o) => o.value === draft.cell)) cellSelect.value = draft.cell;
}

function closeForm() {
  hints.close();
  panel.hidden = true;
  editing = null;
  requestId = null;
}

async function send(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
    credentials: "same-origin",
    body: body ? JSON.stringify(body) : undefined,
  });
  let data = {};
  try { data = await response.json(); } catch { data = { ok: false, error: texts.server_error }; }
  return { status: response.status, data };
}

async function submitTopic(event) {
  event.preventDefault();
  clearErrors();
  const [room, slot] = cellSelect.value ? cellSelect.value.split(":").map(Number) : [null, null];
  const body = {
    title: form.elements.title.value, host: form.elements.host.value,
    goal: form.elements.goal.value, context: form.elements.context.value, room_id: room, slot_id: slot,
  };
  const base = `/api/events/${encodeURIComponent(page.slug)}/topics`;
  if (!editing) {
    requestId = requestId || (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`.replace(/\./g, ""));
    body.request_id = requestId;
  }
  const submit = document.getElementById("f-submit");
  submit.disabled = true;
  let result;
  try {
    result = editing ? await send("PATCH", `${base}/${editing.id}`, body) : await send("POST", base, body);
  } catch {
    showErrors(texts.offline_error);
    submit.disabled = false;
    return;
  }
  submit.disabled = false;
  if (result.data.ok && !editing) localStorage.removeItem(DRAFT_KEY);
  if (result.data.ok && result.data.pending) {
    localStorage.setItem(HOST_KEY, body.host.trim());
    mine.add(result.data.topic.id); // once approved it shows on the wall as this phone's own
    const notice = document.getElementById("pending-notice");
    notice.textContent = texts.pending_posted.replace("{title}", result.data.topic.title);
    notice.hidden = false;
    form.reset();
    closeForm();
    return;
  }
  if (result.data.ok) {
    localStorage.setItem(HOST_KEY, body.host.trim());
    mine.add(result.data.topic.id);
    freshId = result.data.topic.id;
    announcer.textContent = editing ? texts.saved : texts.posted;
    if (!editing) form.reset();
    closeForm();
    if (live.state) renderWall(live.state);
    return;
  }
  showErrors(result.data.error || texts.server_error, result.data.fields || {});
  if (result.status === 409 && live.state) fillCells(live.state, cellSelect.value);
}

function currentState() {
  return live && live.state ? live.state : page.state;
}

/** One tap marks a topic as interesting, the next takes it back; the button shows the choice at once. */
async function toggleInterest(topicId) {
  const on = !marked.has(topicId);
  if (on) marked.add(topicId);
  else marked.delete(topicId);
  renderWall(currentState());
  const answer = await sendInterest(page.slug, topicId, on, csrf);
  if (answer.error !== undefined) {
    if (on) marked.delete(topicId);
    else marked.add(topicId);
    announcer.textContent = answer.error || texts.interest_error;
  } else {
    live.update((state) => withInterest(state, topicId, answer.interest));
  }
  renderWall(currentState());
}

async function withdraw(topicId) {
  if (!window.confirm(texts.confirm_withdraw)) return;
  const result = await send("DELETE", `/api/events/${encodeURIComponent(page.slug)}/topics/${topicId}`).catch(() => null);
  announcer.textContent = result && result.data.ok ? texts.withdrawn : (result ? result.data.error : texts.offline_error);
}

document.getElementById("open-form").addEventListener("click", () => openForm(null, ""));
document.getElementById("f-cancel").addEventListener("click", closeForm);
cellSelect.addEventListener("change", () => {
  clearErrors();
  if (live.state) warnIfTaken(live.state);
});
form.addEventListener("submit", submitTopic);
form.addEventListener("input", saveDraft);
const freeOnly = document.getElementById("free-only");
freeOnly.addEventListener("click", () => {
  const on = freeOnly.getAttribute("aria-pressed") !== "true";
  freeOnly.setAttribute("aria-pressed", String(on));
  document.getElementById("wall").classList.toggle("free-only", on);
});
document.getElementById("result-reminders")?.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-dismiss-reminder]");
  if (!button) return;
  const gone = dismissed();
  gone.add(Number(button.dataset.dismissReminder));
  localStorage.setItem(DISMISSED_KEY, JSON.stringify([...gone]));
  renderReminders(live.state || page.state);
});
document.getElementById("wall").addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.dataset.roomId) openForm(null, `${button.dataset.roomId}:${button.dataset.slotId}`);
  else if (button.dataset.edit) openForm(live.state.topics.find((t) => t.id === Number(button.dataset.edit)), "");
  else if (button.dataset.withdraw) withdraw(Number(button.dataset.withdraw));
  else if (button.dataset.interest) toggleInterest(Number(button.dataset.interest));
});

live = connectWall({
  slug: page.slug,
  initial: page.state,
  onState(state, change, ownIds, ownMarks) {
    if (ownIds) {
      mine.clear();
      ownIds.forEach((id) => mine.add(id));
    }
    if (ownMarks) {
      marked.clear();
      ownMarks.forEach((id) => marked.add(id));
    }
    if (change && change.topic && change.type !== "result_changed") freshId = change.topic.id;
    if (change && change.topic_id !== undefined) mine.delete(change.topic_id); // withdrawn: never act on it again
    if (change && change.removed) change.removed.forEach((id) => mine.delete(id));
    renderWall(state);
    announce(announcer, change, state, texts);
    document.body.dataset.revision = state.revision;
  },
  onStatus(status) { showStatus(statusNode, status, texts); },
});
renderWall(page.state);
document.body.dataset.revision = page.state.revision;
{
  // Open at what is happening: the current slot, else the next one (the day's first before it starts).
  const { current, next } = nowAndNext(page.state.slots);
  const target = document.getElementById(`slot-${current || next}`);
  if (target && !location.hash) target.scrollIntoView({ block: "start" });
}
if (document.getElementById("control")) {
  import("./control.js").then(({ startControl }) => startControl({ live, page, texts, csrf, locale }));
}
if (document.getElementById("moderation")) {
  import("./moderation.js").then(({ startModeration }) => startModeration({ live, page, texts, csrf, locale }));
}
if (document.getElementById("activity")) {
  import("./activity.js").then(({ startActivity }) => startActivity({ live, page, csrf, locale }));
}
if (document.getElementById("frame-editor")) {
  import("./frame.js").then(({ startFrame }) => startFrame({ live, page, csrf }));
}
setInterval(() => { if (live.state) renderWall(live.state); }, 60000);

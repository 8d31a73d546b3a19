// Organizer moderation grid: the whole wall on a laptop; drag (SortableJS) or a menu per topic moves, swaps, merges,
// pins, withdraws; live from the same deltas as every screen. The server checks organizer rights on every call.
import { interestBadge } from "./counts.js";
import { currentText } from "./hints.js";
import { connectWall } from "./live.js";
import { announce, dayHeadings, el, pageJson, showStatus, slotTime } from "./render.js";

const page = pageJson("page-data");
const texts = pageJson("texts");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const locale = page.locale;
const base = `/api/events/${encodeURIComponent(page.slug)}`;
const $ = (id) => document.getElementById(id);
const message = $("grid-message");
const dialog = $("topic-menu");
const chooser = $("menu-choose");
const select = $("menu-select");
const fill = (text, values) => Object.entries(values).reduce((out, [key, value]) => out.replaceAll(`{${key}}`, value), text);

let state = page.state;
let withdrawn = page.withdrawn || [];
let dragging = false;
let stale = false; // a live change came in during a drag: render when it ends
let sortables = [];
let menu = null; // {topic, opener, step}
let inflight = 0; // requests of this page not answered yet: their live changes are announced by their own result
let sending = false; // one menu action at a time: a second Enter or click does not send it twice

// --------------------------------------------------------------------------- talking to the API

/** Send one request; shows refusals in the live region and returns the answer's data, or null. */
async function call(method, path, body) {
  let response;
  inflight += 1;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      credentials: "same-origin",
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    inflight -= 1;
    say(texts.grid_offline, true);
    return null;
  }
  let data;
  try { data = await response.json(); } catch { data = { ok: false, error: texts.server_error }; }
  inflight -= 1;
  if (!data.ok) {
    say(data.error || texts.server_error, true);
    return null;
  }
  if (data.moderation) showWithdrawn(data.moderation.withdrawn);
  return data;
}

/** A request whose answer is needed whole: {status, data}; data is null when the server could not be reached. */
async function request(method, path, body) {
  inflight += 1;
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      credentials: "same-origin",
      body: body ? JSON.stringify(body) : undefined,
    });
    let data;
    try { data = await response.json(); } catch { data = { error: texts.server_error }; }
    return { status: response.status, data };
  } catch {
    return { status: 0, data: null };
  } finally {
    inflight -= 1;
  }
}

/** Show (and so announce) the result of an action. */
function say(text, refused = false) {
  message.textContent = text;
  message.classList.toggle("error", refused);
  message.classList.toggle("ok", !refused);
  const menuError = $("menu-error");
  if (dialog.open && refused) {
    menuError.textContent = text;
    menuError.hidden = false;
  }
}

const topicById = (id) => state.topics.find((t) => t.id === id);

function cellLabel(roomId, slotId) {
  const room = state.rooms.find((r) => r.id === roomId);
  const slot = state.slots.find((s) => s.id === slotId);
  if (!room || !slot) return texts.unplaced_short;
  return [slotTime(slot, locale, state.event.timezone), slot.label, room.name].filter(Boolean).join(" · ");
}

const whereIs = (topic) => cellLabel(topic.room_id, topic.slot_id);

/** The actions, each one request; resolves true when the server took it. */
const actions = {
  async move(topic, target) {
    const cell = target || { room_id: null, slot_id: null };
    if (!(await call("PATCH", `/topics/${topic.id}`, cell))) return false;
    say(cell.room_id === null ? fill(texts.grid_unplaced_done, { title: topic.title })
      : fill(texts.grid_moved, { title: topic.title, cell: cellLabel(cell.room_id, cell.slot_id) }));
    return true;
  },
  async swap(topic, other) {
    if (!(await call("POST", `/topics/${topic.id}/swap`, { other_id: other.id }))) return false;
    say(fill(texts.grid_swapped, { title: topic.title, other: other.title }));
    return true;
  },
  async merge(topic, into) {
    if (!(await call("POST", `/topics/${topic.id}/merge`, { into_id: into.id }))) return false;
    say(fill(texts.grid_merged, { title: topic.title, other: into.title }));
    return true;
  },
  async pin(topic) {
    const verb = topic.pinned ? "unpin" : "pin";
    if (!(await call("POST", `/topics/${topic.id}/${verb}`))) return false;
    say(fill(topic.pinned ? texts.grid_unpinned_done : texts.grid_pinned_done, { title: topic.title }));
    return true;
  },
  async withdraw(topic) {
    if (!(await call("DELETE", `/topics/${topic.id}`))) return false;
    say(fill(texts.grid_withdrawn_done, { title: topic.title }));
    return true;
  },
};

async function restore(topic) {
  if (await call("POST", `/topics/${topic.id}/restore`)) say(fill(texts.grid_restored_done, { title: topic.title }));
}

async function undo() {
  if (await call("POST", "/undo")) say(texts.grid_undone);
}

// --------------------------------------------------------------------------- rendering

function card(topic) {
  const lang = state.event.language;
  return el("div", { className: topic.pinned ? "topic-card pinned" : "topic-card", dataset: { topicId: topic.id } },
    el("span", { className: "topic-title", lang, title: topic.title }, topic.title),
    el("span", { className: "topic-host", lang }, topic.host),
    topic.pinned ? el("span", { className: "pin-mark" }, texts.grid_pinned) : null,
    interestBadge(topic, texts),
    el("button", {
      type: "button", className: "card-menu", "aria-haspopup": "dialog", "aria-expanded": "false",
      "aria-label": fill(texts.grid_actions_for, { title: topic.title }), dataset: { menuFor: topic.id },
    }, "⋯"));
}

function slotHead(slot, tz) {
  return el("th", { scope: "row" }, el("span", { className: "slot-time" }, slotTime(slot, locale, tz)),
    slot.label && !slot.is_break ? el("span", { className: "slot-label", lang: state.event.language }, slot.label) : null);
}

function renderGrid() {
  const tz = state.event.timezone;
  const byCell = new Map(state.topics.filter((t) => t.room_id !== null).map((t) => [`${t.room_id}:${t.slot_id}`, t]));
  $("mgrid-rooms").replaceChildren(el("th", { scope: "col", className: "corner" }, el("span", { className: "sr-only" }, texts.grid_time)),
    ...state.rooms.map((room) => el("th", { scope: "col", dataset: { roomId: room.id } },
      el("span", { className: "room-name" }, room.name),
      room.capacity ? el("span", { className: "room-meta" }, texts.places.replace("{n}", room.capacity)) : null)));
  const days = dayHeadings(state.slots, locale, tz);
  const rows = [];
  state.slots.forEach((slot, i) => {
    if (days[i]) rows.push(el("tr", { className: "day-row" }, el("th", { colspan: state.rooms.length + 1, scope: "colgroup" }, el("span", { className: "sticky-label" }, days[i]))));
    if (slot.is_break) {
      rows.push(el("tr", { className: "break-row", dataset: { slotId: slot.id } }, slotHead(slot, tz),
        el("td", { className: "break", colspan: state.rooms.length, lang: slot.label ? state.event.language : null },
          el("span", { className: "sticky-label" }, slot.label || texts.break))));
      return;
    }
    rows.push(el("tr", { dataset: { slotId: slot.id } }, slotHead(slot, tz), state.rooms.map((room) => {
      const topic = byCell.get(`${room.id}:${slot.id}`);
      return el("td", { dataset: { roomId: room.id } },
        el("div", { className: `drop cell-drop ${topic ? "taken" : "free"}`, dataset: { roomId: room.id, slotId: slot.id } },
          topic ? card(topic) : el("span", { className: "free-label" }, texts.free)));
    })));
  });
  $("mgrid-body").replaceChildren(...rows);
  $("mgrid").style.setProperty("--rooms", state.rooms.length); // equal room columns, scrolling past the screen
  const unplaced = state.topics.filter((t) => t.room_id === null);
  $("tray").replaceChildren(...unplaced.map(card));
  $("tray-count").textContent = unplaced.length;
}

function showWithdrawn(list) {
  withdrawn = list;
  const lang = state.event.language;
  $("withdrawn-count").textContent = list.length;
  $("withdrawn-list").replaceChildren(...(list.length ? list.map((topic) => el("li", {},
    el("span", { className: "topic-title", lang }, topic.title), " ",
    el("span", { className: "topic-host", lang }, topic.host),
    el("button", { type: "button", className: "button small", dataset: { restore: topic.id },
      "aria-label": fill(texts.grid_restore_label, { title: topic.title }) }, texts.restore)))
    : [el("li", { className: "empty" }, texts.grid_no_withdrawn)]));
}

/** Re-render from the state, keeping keyboard focus on the same topic's menu button (it may have moved). */
function render() {
  if (dragging) {
    stale = true;
    return;
  }
  stale = false;
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.menuFor : null;
  renderGrid();
  drawProposal();
  if (focused) focusMenuButton(Number(focused));
  makeSortables();
}

/**
 * New interest counts, written into the cards they concern (grid and tray) instead of a re-render: a card picked
 * up, dragged or with its menu open stays the same element, and a 30 × 12 wall is not rebuilt every second.
 */
function showCounts(counts) {
  for (const [id, n] of Object.entries(counts)) {
    for (const node of document.querySelectorAll(`.topic-card[data-topic-id="${Number(id)}"]`)) {
      const old = node.querySelector(".interest-count");
      if (old && Number(old.dataset.interest) === n) continue;
      const badge = interestBadge({ interest: n }, texts);
      if (old && badge) old.replaceWith(badge);
      else if (old) old.remove();
      else if (badge) node.insertBefore(badge, node.querySelector(".card-menu, .plan-badge"));
    }
  }
}

function focusMenuButton(id) {
  const button = document.querySelector(`button[data-menu-for="${id}"]`);
  if (button) button.focus();
  return Boolean(button);
}

// --------------------------------------------------------------------------- drag and drop

function cellOf(node) {
  return node.classList.contains("cell-drop") ? { room_id: Number(node.dataset.roomId), slot_id: Number(node.dataset.slotId) } : null;
}

async function dropped(event) {
  dragging = false;
  clearDragHints();
  event.from.classList.remove("drag-from");
  document.body.classList.remove("dragging");
  const topic = topicById(Number(event.item.dataset.topicId));
  if (event.from === event.to || !topic) {
    if (stale) render();
    return;
  }
  const other = [...event.to.querySelectorAll(".topic-card")].find((node) => node !== event.item);
  let ok;
  if (other) {
    event.from.append(other); // shown swapped at once; the live change confirms it, a refusal renders it back
    ok = await actions.swap(topic, topicById(Number(other.dataset.topicId)));
  } else {
    event.to.querySelector(".free-label")?.remove();
    ok = await actions.move(topic, cellOf(event.to));
  }
  if (!ok || stale) render(); // a refused move snaps back to where the server has it
}

function makeSortables() {
  for (const sortable of sortables) sortable.destroy();
  sortables = [...document.querySelectorAll(".drop")].map((node) => window.Sortable.create(node, {
    group: "wall",
    sort: false,
    draggable: ".topic-card",
    filter: ".card-menu",
    preventOnFilter: false,
    forceFallback: true, // the same pointer-driven drag for mouse and touch
    fallbackTolerance: 4,
    delay: 150,
    delayOnTouchOnly: true, // a finger scrolls the grid unless it rests on a topic first
    animation: 120,
    ghostClass: "drag-ghost",
    chosenClass: "drag-chosen",
    fallbackClass: "drag-moving",
    scrollSensitivity: 70,
    bubbleScroll: true,
    onStart(event) {
      dragging = true;
      event.from.classList.add("drag-from");
      document.body.classList.add("dragging");
      const topic = topicById(Number(event.item.dataset.topicId));
      if (topic) showDragHints(topic);
    },
    onEnd: dropped,
  }));
}

// --------------------------------------------------------------------------- the topic menu (keyboard path)

function openMenu(topic, opener) {
  menu = { topic, opener, step: null };
  $("menu-title").textContent = topic.title;
  $("menu-where").textContent = fill(texts.grid_where, { cell: whereIs(topic) });
  $("menu-pin").textContent = topic.pinned ? texts.unpin : texts.pin;
  $("menu-error").hidden = true;
  showStep(null);
  opener.setAttribute("aria-expanded", "true");
  dialog.showModal();
  dialog.querySelector("#menu-actions button").focus();
}

/** The choices of one step: [value, label, group] for the select. */
function choices(step, topic) {
  const others = state.topics.filter((t) => t.id !== topic.id);
  const named = (t) => [t.id, `${t.title} (${t.host}) · ${whereIs(t)}`];
  if (step === "swap") return others.filter((t) => t.room_id !== null).map(named);
  if (step === "merge") return others.map(named);
  const taken = new Set(state.topics.map((t) => `${t.room_id}:${t.slot_id}`));
  const free = [];
  if (topic.room_id !== null) free.push(["tray", texts.grid_to_tray]);
  for (const slot of state.slots.filter((s) => !s.is_break)) {
    for (const room of state.rooms) {
      if (!taken.has(`${room.id}:${slot.id}`)) free.push([`${room.id}:${slot.id}`, cellLabel(room.id, slot.id)]);
    }
  }
  return free;
}

async function showStep(step) {
  menu.step = step;
  $("menu-actions").hidden = Boolean(step);
  chooser.hidden = !step;
  $("menu-reason").textContent = "";
  $("menu-current").textContent = "";
  $("menu-current").hidden = true;
  if (!step) return;
  if (step === "move") {
    const topic = menu.topic;
    $("menu-reason").textContent = texts.hint_loading;
    const hints = await bestCells(topic);
    if (!menu || menu.topic !== topic || menu.step !== "move") return; // closed or another step meanwhile
    showMoveStep(choices("move", topic), hints);
    return;
  }
  const options = choices(step, menu.topic);
  $("menu-select-label").textContent = { move: texts.grid_choose_cell, swap: texts.grid_choose_swap, merge: texts.grid_choose_merge }[step];
  $("menu-confirm").textContent = { move: texts.grid_move, swap: texts.grid_swap, merge: texts.grid_merge }[step];
  select.replaceChildren(...options.map(([value, label]) => el("option", { value }, label)));
  select.hidden = !options.length;
  $("menu-confirm").disabled = !options.length;
  $("menu-none").hidden = Boolean(options.length);
  $("menu-none").textContent = step === "move" ? texts.grid_no_free : texts.grid_no_topics;
  (options.length ? select : $("menu-back")).focus();
}

/**
 * "Move to…": what the topic costs where it is now, the best three free places that cost less first (with their
 * reasons), then the queue and every other free place.
 */
function showMoveStep(options, { best, current }) {
  $("menu-current").textContent = current ? [best.length ? "" : texts.hint_already_best, currentText(current, texts)].join(" ").trim() : "";
  $("menu-current").hidden = !current;
  $("menu-select-label").textContent = texts.grid_choose_cell;
  $("menu-confirm").textContent = texts.grid_move;
  const bestValues = new Set(best.map((s) => `${s.room_id}:${s.slot_id}`));
  const groups = [];
  if (best.length) {
    groups.push(el("optgroup", { label: texts.hint_best }, best.map((s, i) => el("option", {
      value: `${s.room_id}:${s.slot_id}`, dataset: { reasons: s.reasons.join("; ") },
    }, `${i + 1}. ${cellLabel(s.room_id, s.slot_id)} – ${s.reasons.join("; ")}`))));
  }
  const rest = options.filter(([value]) => !bestValues.has(value)).map(([value, label]) => el("option", { value }, label));
  if (rest.length) groups.push(best.length ? el("optgroup", { label: texts.hint_other }, rest) : rest);
  select.replaceChildren(...groups.flat());
  const any = select.options.length > 0;
  select.hidden = !any;
  $("menu-confirm").disabled = !any;
  $("menu-none").hidden = any;
  $("menu-none").textContent = texts.grid_no_free;
  showReason();
  (any ? select : $("menu-back")).focus();
}

/** The reasons of the chosen place under the list (the select's description for screen readers). */
function showReason() {
  const option = select.selectedOptions[0];
  $("menu-reason").textContent = menu && menu.step === "move" && option && option.dataset.reasons ? option.dataset.reasons : "";
}
select.addEventListener("change", showReason);

async function confirmStep() {
  if (sending) return;
  const { topic, step } = menu;
  const value = select.value;
  let ok;
  sending = true;
  if (step === "move") {
    const [room, slot] = value === "tray" ? [null, null] : value.split(":").map(Number);
    ok = await actions.move(topic, { room_id: room, slot_id: slot });
  } else {
    const other = topicById(Number(value)) || { id: Number(value), title: select.selectedOptions[0].textContent };
    ok = await actions[step](topic, other);
  }
  sending = false;
  if (ok) dialog.close();
}

$("menu-actions").addEventListener("click", async (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.dataset.step) showStep(button.dataset.step);
  else if (button.dataset.act && !sending) {
    sending = true;
    const ok = await actions[button.dataset.act](topicById(menu.topic.id) || menu.topic);
    sending = false;
    if (ok) dialog.close();
  }
});
chooser.addEventListener("submit", (event) => {
  event.preventDefault();
  confirmStep();
});
select.addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    chooser.requestSubmit();
  }
});
$("menu-back").addEventListener("click", () => {
  showStep(null);
  dialog.querySelector("#menu-actions button").focus();
});
$("menu-close").addEventListener("click", () => dialog.close());
dialog.addEventListener("close", () => {
  // The event comes a task after closing: a menu opened again meanwhile (a quick Escape, Enter) stays open.
  if (!menu || dialog.open) return;
  const { topic, opener } = menu;
  menu = null;
  opener.setAttribute("aria-expanded", "false");
  if (!focusMenuButton(topic.id)) $("undo").focus(); // withdrawn or merged away: focus stays on the page's controls
});

document.addEventListener("click", (event) => {
  const opener = event.target.closest("button[data-menu-for]");
  if (opener) {
    const topic = topicById(Number(opener.dataset.menuFor));
    if (topic) openMenu(topic, opener);
    return;
  }
  const again = event.target.closest("button[data-restore]");
  if (again) {
    const topic = withdrawn.find((t) => t.id === Number(again.dataset.restore));
    if (topic) restore(topic);
  }
});
$("undo").addEventListener("click", undo);

// --------------------------------------------------------------------------- hints while placing

const suggestionCache = new Map(); // `${topic id}:${revision}` -> promise of {best, current}

/**
 * For a topic on the current wall (cached per revision): `best`, the three best free cells that cost less than
 * where it is now ([] when none or on failure), and `current`, what it costs there (null when unplaced).
 */
function bestCells(topic) {
  const key = `${topic.id}:${state.revision}`;
  if (!suggestionCache.has(key)) {
    if (suggestionCache.size > 50) suggestionCache.clear();
    suggestionCache.set(key, fetch(`${base}/suggestions?topic=${topic.id}`, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : { suggestions: [] }))
      .then((data) => {
        const current = data.current || null;
        const better = (data.suggestions || []).filter((s) => !current || s.score < current.score);
        return { best: better.slice(0, 3), current };
      })
      .catch(() => { suggestionCache.delete(key); return { best: [], current: null }; }));
  }
  return suggestionCache.get(key);
}

let hinted = null; // topic id whose best cells are highlighted during a drag

async function showDragHints(topic) {
  hinted = topic.id;
  const { best, current } = await bestCells(topic);
  if (!dragging || hinted !== topic.id) return;
  best.forEach((s, i) => {
    const cell = document.querySelector(`.cell-drop[data-room-id="${s.room_id}"][data-slot-id="${s.slot_id}"]`);
    if (!cell) return;
    cell.classList.add("hint-best");
    cell.append(el("span", { className: "hint-tag", title: s.reasons.join("; ") },
      el("span", { className: "hint-rank", "aria-label": fill(texts.hint_rank, { n: i + 1 }) }, String(i + 1)),
      el("span", { className: "hint-why" }, s.reasons[0] || "")));
  });
  if (best.length) {
    $("announcer").textContent = fill(texts.hint_drag, { title: topic.title, cells: best.map((s) => `${cellLabel(s.room_id, s.slot_id)} (${s.reasons.join("; ")})`).join("; ") });
  } else if (current) {
    $("announcer").textContent = texts.hint_already_best;
  }
}

function clearDragHints() {
  hinted = null;
  document.querySelectorAll(".hint-tag").forEach((node) => node.remove());
  document.querySelectorAll(".hint-best").forEach((node) => node.classList.remove("hint-best"));
}

// A topic picked up: ask for its best cells at once, so they are there when the drag begins.
document.addEventListener("pointerdown", (event) => {
  const node = event.target.closest(".topic-card");
  if (!node || event.target.closest(".card-menu")) return;
  const topic = topicById(Number(node.dataset.topicId));
  if (topic) bestCells(topic);
});

// --------------------------------------------------------------------------- the whole-wall proposal

let proposal = null; // the GET …/proposal answer shown on the grid, or null
let proposalStale = false; // the server refused it: the wall changed underneath
const proposalPanel = $("proposal");

async function computeProposal() {
  $("propose").disabled = true;
  say(texts.proposal_computing);
  const { status, data } = await request("GET", "/proposal");
  $("propose").disabled = false;
  if (status !== 200 || !data || !Array.isArray(data.moves)) {
    say((data && data.error) || (status ? texts.server_error : texts.grid_offline), true);
    return;
  }
  if (!data.moves.length) {
    clearProposal();
    say(`${texts.proposal_nothing} ${fill(texts.proposal_score, { before: data.conflicts_before, after: data.conflicts_after })}`);
    return;
  }
  proposal = data;
  proposalStale = false;
  say(data.moves.length === 1 ? texts.proposal_shown_one : fill(texts.proposal_shown, { n: data.moves.length }));
  render();
  $("proposal-heading").focus();
}

function cellText(cell) {
  return cell && cell.room_id !== null ? cellLabel(cell.room_id, cell.slot_id) : texts.unplaced_short;
}

/** The proposal's list and its marks on the grid: each moved topic at its old place, its new place, numbered. */
function drawProposal() {
  document.body.classList.toggle("proposing", Boolean(proposal));
  proposalPanel.hidden = !proposal;
  if (!proposal) return;
  const outdated = !proposalStale && proposal.revision !== state.revision;
  $("proposal-score").textContent = fill(texts.proposal_score, { before: proposal.conflicts_before, after: proposal.conflicts_after });
  const note = $("proposal-note");
  note.hidden = !(proposalStale || outdated);
  note.textContent = proposalStale ? texts.proposal_stale : outdated ? texts.proposal_outdated : "";
  note.classList.toggle("error", proposalStale);
  $("proposal-apply").hidden = proposalStale;
  $("proposal-recompute").hidden = !(proposalStale || outdated);
  const lang = state.event.language;
  $("proposal-moves").replaceChildren(...proposal.moves.map((move, i) => {
    const title = (topicById(move.topic_id) || move).title;
    return el("li", { dataset: { topicId: move.topic_id } },
      el("span", { className: "plan-no", "aria-hidden": "true" }, String(i + 1)),
      el("span", { className: "proposal-what" }, fill(texts.proposal_move, { title, from: cellText(move.from), to: cellText(move.to) })),
      move.reasons && move.reasons.length
        ? el("div", { className: "proposal-why" }, `${texts.proposal_because}:`, el("ul", {}, move.reasons.map((r) => el("li", {}, r)))) : null);
  }));
  proposal.moves.forEach((move, i) => {
    const title = (topicById(move.topic_id) || move).title;
    const card = document.querySelector(`.topic-card[data-topic-id="${move.topic_id}"]`);
    if (card) {
      card.classList.add("plan-from");
      card.append(el("span", { className: "plan-badge" }, el("span", { className: "plan-no" }, String(i + 1)), ` → ${cellText(move.to)}`));
    }
    const target = document.querySelector(`.cell-drop[data-room-id="${move.to.room_id}"][data-slot-id="${move.to.slot_id}"]`);
    if (target) {
      target.classList.add("plan-to");
      target.querySelector(".free-label")?.remove();
      target.append(el("div", { className: "plan-arrival" },
        el("span", { className: "plan-no" }, String(i + 1)), " ",
        el("span", { className: "plan-arrival-title", lang }, fill(texts.proposal_from, { title }))));
    }
  });
}

function clearProposal() {
  proposal = null;
  proposalStale = false;
  render();
}

async function applyProposal() {
  if (!proposal || sending) return;
  sending = true;
  $("proposal-apply").disabled = true;
  const moves = proposal.moves.map((m) => ({ topic_id: m.topic_id, from: m.from, to: m.to }));
  const { status, data } = await request("POST", "/proposal", { moves });
  sending = false;
  $("proposal-apply").disabled = false;
  if (status === 200 && data && data.ok) {
    if (data.moderation) showWithdrawn(data.moderation.withdrawn);
    proposal = null;
    say(data.moved.length === 1 ? texts.proposal_applied_one : fill(texts.proposal_applied, { n: data.moved.length }));
    render();
    $("undo").focus();
    return;
  }
  if (status === 409) {
    proposalStale = true;
    say((data && data.error) || texts.proposal_stale, true);
    render();
    $("proposal-recompute").focus();
    return;
  }
  say((data && data.error) || (status ? texts.server_error : texts.grid_offline), true);
}

$("propose").addEventListener("click", computeProposal);
$("proposal-recompute").addEventListener("click", computeProposal);
$("proposal-apply").addEventListener("click", applyProposal);
$("proposal-dismiss").addEventListener("click", () => {
  clearProposal();
  say(texts.proposal_dismissed);
  $("propose").focus();
});

// --------------------------------------------------------------------------- live

const live = connectWall({
  slug: page.slug,
  initial: state,
  onState(next, change) {
    state = next;
    if (change && !inflight) announce($("announcer"), change, next, texts); // someone else's change
    document.body.dataset.revision = next.revision;
    render();
  },
  onStatus: (status) => showStatus($("status"), status, texts),
  onCounts(next, counts) {
    state = next;
    if (counts.interest) showCounts(counts.interest);
  },
});
live.socket.on("moderation_changed", (moderation) => showWithdrawn(moderation.withdrawn));
showWithdrawn(withdrawn);
render();

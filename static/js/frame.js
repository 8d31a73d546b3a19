// The frame editor on the organizer page: the event's fields, its rooms and slots, over the JSON API.
// Lists are drawn from the live wall state; what an organizer is typing in a row survives other changes.
import { el, pageJson } from "./render.js";

export function startFrame({ live, page, csrf }) {
  const texts = pageJson("frame-texts");
  const base = `/api/events/${encodeURIComponent(page.slug)}`;
  const node = (id) => document.getElementById(id);
  const drafts = new Map(); // "room:7" / "slot:3" / "event" -> {field: typed value}
  let wall = live.state || page.state;
  let drawn = "";

  function say(message, isError) {
    node("frame-error").textContent = isError ? message : "";
    node("frame-error").hidden = !isError;
    node("frame-notice").textContent = isError ? "" : message;
    node("frame-notice").hidden = isError || !message;
  }

  function fieldErrors(data) {
    const fields = data.fields ? Object.values(data.fields) : [];
    return [data.error, ...fields].filter(Boolean).join(" ");
  }

  async function call(method, path, body, done) {
    say("", false);
    let response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        credentials: "same-origin",
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch {
      say(texts.offline, true);
      return null;
    }
    let data;
    try { data = await response.json(); } catch { data = { ok: false, error: texts.server_error }; }
    if (!data.ok) {
      say(fieldErrors(data) || texts.server_error, true);
      return null;
    }
    const moved = (data.unplaced || []).map((t) => `${t.title} (${t.host})`);
    say(moved.length ? texts.unplaced.replace("{topics}", moved.join(", ")) : done, false);
    return data;
  }

  const topicsIn = (key, id) => wall.topics.filter((t) => t[key] === id).length;
  const localDay = (iso) => iso.slice(0, 10);
  const localTime = (iso) => iso.slice(11, 16);
  const slotName = (slot) => `${localDay(slot.starts_at)} ${localTime(slot.starts_at)}–${localTime(slot.ends_at)}`;

  function input(key, field, value, attrs) {
    const draft = drafts.get(key);
    const shown = draft && field in draft ? draft[field] : value;
    const box = el("input", { ...attrs, dataset: { field } });
    if (attrs.type === "checkbox") box.checked = Boolean(shown);
    else box.value = shown === null || shown === undefined ? "" : String(shown);
    box.addEventListener("input", () => {
      drafts.set(key, { ...drafts.get(key), [field]: attrs.type === "checkbox" ? box.checked : box.value });
    });
    return box;
  }

  function labelled(text, control) {
    return el("label", { className: "frame-field" }, el("span", {}, text), control);
  }

  function roomRow(room, index) {
    const key = `room:${room.id}`;
    const name = room.name;
    const label = (what) => `${what} – ${texts.room_named.replace("{name}", name)}`;
    return el("li", { className: "frame-item", dataset: { roomId: room.id } },
      el("div", { className: "frame-fields" },
        labelled(texts.name, input(key, "name", room.name, { maxlength: 80, autocomplete: "off", "aria-label": label(texts.name) })),
        labelled(texts.places, input(key, "capacity", room.capacity, { type: "number", min: 0, max: 99999, inputmode: "numeric", className: "narrow", "aria-label": label(texts.places) })),
        labelled(texts.where, input(key, "location", room.location, { maxlength: 120, autocomplete: "off", "aria-label": label(texts.where) }))),
      el("div", { className: "frame-buttons" },
        el("button", { type: "button", className: "button small primary", dataset: { act: "save-room", id: room.id }, "aria-label": label(texts.save) }, texts.save),
        el("button", { type: "button", className: "button small", dataset: { act: "up", id: room.id, index }, disabled: index === 0, "aria-label": label(texts.up) }, "↑"),
        el("button", { type: "button", className: "button small", dataset: { act: "down", id: room.id, index }, disabled: index === wall.rooms.length - 1, "aria-label": label(texts.down) }, "↓"),
        el("button", { type: "button", className: "button small danger", dataset: { act: "remove-room", id: room.id }, disabled: wall.rooms.length === 1, "aria-label": label(texts.remove) }, texts.remove)));
  }

  function slotRow(slot) {
    const key = `slot:${slot.id}`;
    const label = (what) => `${what} – ${texts.slot_named.replace("{name}", slotName(slot))}`;
    return el("li", { className: `frame-item${slot.is_break ? " is-break" : ""}`, dataset: { slotId: slot.id } },
      el("div", { className: "frame-fields" },
        labelled(texts.day, input(key, "day", localDay(slot.starts_at), { type: "date", min: wall.event.starts_on, max: wall.event.ends_on, "aria-label": label(texts.day) })),
        labelled(texts.from, input(key, "start", localTime(slot.starts_at), { type: "time", className: "narrow", "aria-label": label(texts.from) })),
        labelled(texts.to, input(key, "end", localTime(slot.ends_at), { type: "time", className: "narrow", "aria-label": label(texts.to) })),
        labelled(texts.label, input(key, "label", slot.label, { maxlength: 80, autocomplete: "off", "aria-label": label(texts.label) })),
        el("label", { className: "check" }, input(key, "is_break", slot.is_break, { type: "checkbox", "aria-label": label(texts.is_break) }), ` ${texts.is_break}`)),
      el("div", { className: "frame-buttons" },
        el("button", { type: "button", className: "button small primary", dataset: { act: "save-slot", id: slot.id }, "aria-label": label(texts.save) }, texts.save),
        el("button", { type: "button", className: "button small danger", dataset: { act: "remove-slot", id: slot.id }, disabled: wall.slots.length === 1, "aria-label": label(texts.remove) }, texts.remove)));
  }

  function fillEvent() {
    const form = node("frame-event");
    const draft = drafts.get("event") || {};
    for (const field of ["name", "description", "starts_on", "ends_on", "timezone", "language", "venue"]) {
      const control = form.elements[field];
      if (document.activeElement === control) continue;
      const value = field in draft ? draft[field] : wall.event[field];
      control.value = value === null || value === undefined ? "" : value;
    }
  }

  function render() {
    const key = JSON.stringify([wall.event, wall.rooms, wall.slots, wall.topics.map((t) => [t.room_id, t.slot_id])]);
    if (key === drawn) return;
    drawn = key;
    const focused = document.activeElement;
    const focusKey = focused && focused.closest && focused.closest(".frame-item")
      ? [focused.closest(".frame-item").dataset.roomId, focused.closest(".frame-item").dataset.slotId, focused.dataset.field, focused.dataset.act]
      : null;
    node("frame-rooms").replaceChildren(...wall.rooms.map(roomRow));
    node("frame-slots").replaceChildren(...wall.slots.map(slotRow));
    node("frame-room-count").textContent = wall.rooms.length;
    node("frame-slot-count").textContent = wall.slots.length;
    const day = node("frame-slot-day");
    day.min = wall.event.starts_on;
    day.max = wall.event.ends_on;
    if (!day.value) day.value = wall.event.starts_on;
    fillEvent();
    if (focusKey) {
      const [roomId, slotId, field, act] = focusKey;
      const row = document.querySelector(roomId ? `.frame-item[data-room-id="${roomId}"]` : `.frame-item[data-slot-id="${slotId}"]`);
      const again = row && (field ? row.querySelector(`[data-field="${field}"]`) : row.querySelector(`[data-act="${act}"]`));
      if (again && !again.disabled) again.focus();
    }
  }

  function typed(key, field, fallback) {
    const draft = drafts.get(key);
    return draft && field in draft ? draft[field] : fallback;
  }

  const number = (value) => (value === "" || value === null ? null : /^[0-9]+$/.test(String(value)) ? Number(value) : value);

  async function saveRoom(id) {
    const room = wall.rooms.find((r) => r.id === id);
    const key = `room:${id}`;
    const body = {
      name: typed(key, "name", room.name),
      capacity: number(typed(key, "capacity", room.capacity)),
      location: typed(key, "location", room.location) || null,
    };
    if (await call("PATCH", `/rooms/${id}`, body, texts.saved)) drafts.delete(key);
  }

  async function saveSlot(id) {
    const slot = wall.slots.find((s) => s.id === id);
    const key = `slot:${id}`;
    const day = typed(key, "day", localDay(slot.starts_at));
    const isBreak = typed(key, "is_break", slot.is_break);
    const inside = topicsIn("slot_id", id);
    if (isBreak && !slot.is_break && inside
      && !window.confirm(texts.confirm_break.replace("{name}", slotName(slot)).replace("{n}", inside))) return;
    const body = {
      starts_at: `${day}T${typed(key, "start", localTime(slot.starts_at))}`,
      ends_at: `${day}T${typed(key, "end", localTime(slot.ends_at))}`,
      label: typed(key, "label", slot.label) || null,
      is_break: isBreak,
    };
    if (await call("PATCH", `/slots/${id}`, body, texts.saved)) drafts.delete(key);
  }

  node("frame-editor").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-act]");
    if (!button) return;
    const id = Number(button.dataset.id);
    const act = button.dataset.act;
    if (act === "save-room") await saveRoom(id);
    else if (act === "save-slot") await saveSlot(id);
    else if (act === "up" || act === "down") {
      const position = Number(button.dataset.index) + (act === "up" ? -1 : 1);
      await call("PATCH", `/rooms/${id}`, { position }, texts.saved);
    } else if (act === "remove-room") {
      const room = wall.rooms.find((r) => r.id === id);
      const question = texts.confirm_room.replace("{name}", room.name).replace("{n}", topicsIn("room_id", id));
      if (window.confirm(question) && (await call("DELETE", `/rooms/${id}`, null, texts.removed))) drafts.delete(`room:${id}`);
    } else if (act === "remove-slot") {
      const slot = wall.slots.find((s) => s.id === id);
      const question = texts.confirm_slot.replace("{name}", slotName(slot)).replace("{n}", topicsIn("slot_id", id));
      if (window.confirm(question) && (await call("DELETE", `/slots/${id}`, null, texts.removed))) drafts.delete(`slot:${id}`);
    }
  });

  const eventForm = node("frame-event");
  eventForm.addEventListener("input", (event) => {
    if (event.target.name) drafts.set("event", { ...drafts.get("event"), [event.target.name]: event.target.value });
  });
  eventForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    for (const field of ["name", "description", "starts_on", "ends_on", "timezone", "language", "venue"]) {
      const value = eventForm.elements[field].value;
      if (value !== (wall.event[field] ?? "")) body[field] = value;
    }
    if (!Object.keys(body).length) { say(texts.saved, false); return; }
    if (await call("PATCH", "", body, texts.saved)) drafts.delete("event");
  });

  node("frame-room-add").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const body = { name: form.elements.name.value, location: form.elements.location.value || null };
    if (form.elements.capacity.value !== "") body.capacity = number(form.elements.capacity.value);
    if (await call("POST", "/rooms", body, texts.added)) form.reset();
  });

  node("frame-slot-add").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const day = form.elements.day.value;
    const body = {
      starts_at: `${day}T${form.elements.start.value}`,
      ends_at: `${day}T${form.elements.end.value}`,
      label: form.elements.label.value || null,
      is_break: form.elements.is_break.checked,
    };
    if (await call("POST", "/slots", body, texts.added)) {
      form.reset();
      form.elements.day.value = day;
    }
  });

  document.addEventListener("wall-state", (event) => {
    wall = event.detail;
    render();
  });
  render();
}

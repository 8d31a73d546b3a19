// The activity log on the organizer page, and undo: reloaded after every change (at most once a second).
import { clock, el, pageJson, slotTime } from "./render.js";

export function startActivity({ live, page, csrf, locale }) {
  const texts = pageJson("activity-texts");
  const base = `/api/events/${encodeURIComponent(page.slug)}`;
  const node = (id) => document.getElementById(id);
  let wall = live.state || page.state;
  let timer = null;
  let loading = false;

  function say(message, isError) {
    node("activity-error").textContent = isError ? message : "";
    node("activity-error").hidden = !isError;
    node("activity-notice").textContent = isError ? "" : message;
    node("activity-notice").hidden = isError || !message;
  }

  function cell(topic) {
    if (!topic || topic.room_id === null || topic.room_id === undefined) return texts.unplaced;
    const room = wall.rooms.find((r) => r.id === topic.room_id);
    const slot = wall.slots.find((s) => s.id === topic.slot_id);
    return room && slot ? `${room.name} · ${slotTime(slot, locale, wall.event.timezone)}` : "?";
  }

  const quoted = (text) => texts.quoted.replace("{text}", text);
  const shown = (value) => (value === true ? texts.yes : value === false ? texts.no : value ?? "–");
  const fields = (values) => Object.entries(values || {}).map(([field, value]) => `${texts.fields[field] || field}: ${shown(value)}`).join(", ");

  /** What changed, in a few words: the place, the title, the lock's reason, the frame part. */
  function detail(step) {
    const { before, after } = step;
    if (step.action === "frame") {
      const part = (after && Object.keys(after)[0]) || (before && Object.keys(before)[0]);
      const was = before && before[part];
      const now = after && after[part];
      const name = (value) => (value ? value.name || value.label || value.starts_at || "" : "");
      if (part === "event") return fields(now);
      return was && now ? `${name(was)} → ${name(now)}` : `${part}: ${name(now || was)}${now ? " +" : " −"}`;
    }
    if (step.action === "announce" || step.action === "unannounce") return quoted((after || before).text);
    if (step.action.startsWith("market_")) {
      const current = wall.topics.find((t) => t.id === step.topic_id);
      return current ? quoted(current.title) : "";
    }
    if (step.action === "lock") return after && after.lock_reason ? quoted(after.lock_reason) : "";
    if (step.action === "settings") return fields(after);
    const parts = [];
    if (before && after && (before.room_id !== after.room_id || before.slot_id !== after.slot_id)) {
      parts.push(`${cell(before)} → ${cell(after)}`);
    }
    if (before && after && before.title !== after.title) parts.push(`${quoted(before.title)} → ${quoted(after.title)}`);
    return parts.join(" · ");
  }

  function line(step) {
    const topic = step.after || step.before || {};
    const who = texts[step.actor] || step.actor;
    const what = texts.actions[step.action] || step.action;
    return el("li", { className: `activity-item${step.undone ? " undone" : ""}`, dataset: { action: step.action } },
      el("time", { datetime: step.at }, clock(step.at, locale, wall.event.timezone)),
      el("span", { className: "activity-what" }, texts.step.replace("{who}", who).replace("{what}", what)),
      topic.title ? el("span", { className: "activity-topic", lang: wall.event.language }, topic.title) : null,
      el("span", { className: "activity-detail" }, detail(step)),
      step.undone ? el("span", { className: "badge" }, texts.undone) : null);
  }

  async function request(method, path) {
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        credentials: "same-origin",
      });
      return await response.json();
    } catch {
      return { ok: false, error: texts.offline };
    }
  }

  let rotating = false;

  async function load() {
    if (rotating) { soon(); return; }
    if (loading) return;
    loading = true;
    const data = await request("GET", "/log");
    loading = false;
    if (data.ok) node("activity-list").replaceChildren(...data.steps.slice(0, 50).map(line));
  }

  function soon() {
    if (timer) return;
    timer = setTimeout(() => { timer = null; load(); }, 1000);
  }

  node("undo-last").addEventListener("click", async () => {
    say("", false);
    const data = await request("POST", "/undo");
    if (!data.ok) {
      say(data.error || texts.server_error, true);
      return;
    }
    say(texts.undid.replace("{what}", texts.actions[data.undone.action] || data.undone.action), false);
    load();
  });
  document.addEventListener("wall-state", (event) => {
    wall = event.detail;
    soon();
  });
  live.socket.on("moderation_changed", soon);
  document.addEventListener("organizer-link-rotating", () => { rotating = true; });
  document.addEventListener("organizer-link-rotated", () => { rotating = false; });
  load();
}

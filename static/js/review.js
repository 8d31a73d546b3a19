// The organizers' review page: review, hide and publish over the JSON API; each changed part is fetched again
// as the server renders it (parsed with DOMParser and moved in as nodes: no HTML strings are assigned).
import { connectWall } from "./live.js";
import { pageJson, showStatus } from "./render.js";

const page = pageJson("page-data");
const texts = pageJson("review-texts");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const api = `/api/events/${encodeURIComponent(page.slug)}`;
const node = (id) => document.getElementById(id);
const waiting = new Set(); // sessions changed elsewhere while someone types in them: refreshed on leaving

function say(message, isError) {
  node("review-error").textContent = isError ? message : "";
  node("review-error").hidden = !isError;
  node("review-said").textContent = isError ? "" : message;
}

async function send(method, path, body) {
  let response;
  try {
    response = await fetch(api + path, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
  } catch {
    throw new Error(texts.offline);
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const fields = answer.fields ? Object.values(answer.fields).join(" ") : "";
    throw new Error([answer.error || texts.failed, fields].filter(Boolean).join(" "));
  }
  return answer;
}

/** A selector that finds the focused control again in a fresh copy of its part. */
function focusKey(element) {
  if (element.id) return `#${CSS.escape(element.id)}`;
  const { action, photoId } = element.dataset || {};
  if (action) return `button[data-action="${action}"]` + (photoId ? `[data-photo-id="${photoId}"]` : "");
  return null;
}

/** Replace the given parts (by id) with their fresh server-rendered copies; focus stays on its control. */
async function refresh(ids) {
  const response = await fetch(location.pathname, { headers: { Accept: "text/html" } });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const id of ids) {
    const now = node(id);
    const next = fresh.getElementById(id);
    if (now && next) {
      const key = now.contains(document.activeElement) ? focusKey(document.activeElement) : null;
      const copy = document.importNode(next, true);
      now.replaceWith(copy);
      if (key) (copy.querySelector(key) || copy.querySelector("button[data-action]"))?.focus();
    }
    else if (!now && next && id.startsWith("session-")) {
      const copy = document.importNode(next, true);
      const after = next.nextElementSibling && node(next.nextElementSibling.id);
      if (after) after.before(copy);
      else node("review-sessions").append(copy);
    } else if (now && !next) now.remove();
  }
}

let queued = new Set();
let queueTimer = null;

/** Refresh parts changed elsewhere, a burst of deltas in one fetch (at most one every 400 ms). */
function later(ids) {
  ids.forEach((id) => queued.add(id));
  if (queueTimer) return;
  queueTimer = setTimeout(() => {
    const due = [...queued];
    queued = new Set();
    queueTimer = null;
    refresh(due);
  }, 400);
}

function refreshSession(topicId) {
  const id = `session-${topicId}`;
  const article = node(id);
  if (article && article.contains(document.activeElement) && document.activeElement.matches("input, textarea, select")) {
    waiting.add(id);
    return;
  }
  later([id, "review-summary"]);
}

document.addEventListener("focusout", (event) => {
  for (const id of [...waiting]) {
    const article = node(id);
    if (article && article.contains(event.target) && !article.contains(event.relatedTarget)) {
      waiting.delete(id);
      refresh([id, "review-summary"]);
    }
  }
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const { action, topicId, photoId } = button.dataset;
  button.disabled = true;
  try {
    if (action === "publish") {
      const published = button.dataset.published === "true";
      await send("POST", "/report/publish", { published });
      await refresh(["review-summary"]);
      say(published ? texts.published : texts.unpublished);
      node("publish")?.focus();
      return;
    }
    if (action === "review") {
      await send("POST", `/topics/${topicId}/result/review`, { state: button.dataset.state });
    } else if (action === "hide") {
      await send("POST", `/topics/${topicId}/result/review`, {
        state: button.dataset.state,
        hidden: button.dataset.hidden === "true",
      });
    } else if (action === "photo") {
      await send("PATCH", `/topics/${topicId}/result/photos/${photoId}`, { hidden: button.dataset.hidden === "true" });
    }
    await refresh([`session-${topicId}`, "review-summary"]);
    say(texts.saved);
    const article = node(`session-${topicId}`);
    (article?.querySelector(focusKey(button)) || article?.querySelector("button[data-action]"))?.focus();
  } catch (error) {
    say(error.message, true);
  } finally {
    button.disabled = false;
  }
});

document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form.item-form");
  if (!form) return;
  event.preventDefault();
  const said = form.querySelector(".item-said");
  const button = form.querySelector('button[type="submit"]');
  const value = (name) => form.elements[name].value;
  button.disabled = true;
  said.className = "item-said";
  said.textContent = "";
  try {
    const item = await send("PATCH", `/action-items/${form.dataset.itemId}`, {
      status: value("status"),
      owner: value("owner"),
      due: value("due") || null,
      note: value("note"),
    });
    form.elements.owner.value = item.owner;
    form.elements.note.value = item.note;
    said.classList.add("saved");
    said.textContent = texts.saved;
  } catch (error) {
    said.classList.add("failed");
    said.textContent = error.message;
  } finally {
    button.disabled = false;
  }
});

connectWall({
  slug: page.slug,
  initial: null,
  onState: (state, change) => {
    if (!change) return;
    if (change.type === "result_changed" && change.result) refreshSession(change.result.topic_id);
    else if (change.type === "event_updated") later(["review-summary"]);
    else if (change.topic || change.topics || change.removed || change.topic_id) later(["review-sessions"]);
  },
  onStatus: (status) => showStatus(node("status"), status, texts),
});

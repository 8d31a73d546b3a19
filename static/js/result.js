// A session's results on its topic page: shown, written and edited against the version they were based on; a stale
// save shows the text saved meanwhile beside the user's own (nothing typed is lost); photos, history, live updates.
import { el } from "./render.js";

const TEXT_FIELDS = ["summary", "insights"];

function byId(id) {
  return document.getElementById(id);
}

/** A link as a safe anchor: only http(s) addresses become links, anything else stays plain text. */
function linkNode(address) {
  let web = false;
  try { web = ["http:", "https:"].includes(new URL(address).protocol); } catch { web = false; }
  return web ? el("a", { href: address, rel: "noopener noreferrer nofollow", target: "_blank" }, address) : el("span", {}, address);
}

/** The nodes that show one result's texts, action items, attendees and links (photos are listed apart). */
function resultNodes(result, rt, locale, { headingLevel = "h3" } = {}) {
  const nodes = [];
  for (const name of TEXT_FIELDS) {
    if (!result[name]) continue;
    nodes.push(el("div", { className: "result-part" }, el(headingLevel, {}, rt[name]), el("p", { className: "result-text", dataset: { field: name } }, result[name])));
  }
  if (result.action_items.length) {
    nodes.push(el("div", { className: "result-part" }, el(headingLevel, {}, rt.action_items),
      el("ul", { className: "item-list" }, result.action_items.map((item) => el("li", {},
        el("span", { className: "item-what" }, item.what),
        item.who ? el("span", { className: "item-who" }, ` – ${item.who}`) : null,
        item.due ? el("span", { className: "item-due" }, ` (${rt.due_on.replace("{date}", formatDate(item.due, locale))})`) : null)))));
  }
  if (result.attendees !== null && result.attendees !== undefined) {
    nodes.push(el("p", { className: "result-attendees" }, rt.attendees_n.replace("{n}", result.attendees)));
  }
  if (result.links.length) {
    nodes.push(el("div", { className: "result-part" }, el(headingLevel, {}, rt.links),
      el("ul", { className: "link-list" }, result.links.map((address) => el("li", {}, linkNode(address))))));
  }
  return nodes;
}

/** A due date (YYYY-MM-DD) in the page's language, as a calendar date (no time zone shift). */
function formatDate(day, locale) {
  const [y, m, d] = day.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(Date.UTC(y, m - 1, d));
}

/** Run the results section of the topic page; returns onChange(change) for the page's live connection. */
export function startResult({ page, rt, csrf, mayDeletePhotos }) {
  const form = byId("r-form");
  const itemsList = byId("r-items");
  const url = `/api/events/${encodeURIComponent(page.slug)}/topics/${page.topic_id}/result`;
  const announcer = byId("announcer");
  let shown = page.result;
  let base = shown.version; // the version the open form's text is based on
  let theirs = null; // the result saved meanwhile, while a conflict is shown
  let editing = false;
  let stale = false; // someone saved while the form was open: shown is older than the saved result
  let saving = false; // a save is on its way: a delta arriving meanwhile may be this page's own
  let late = null; // the newest delta that arrived while saving

  async function call(method, address, body) {
    let response;
    try {
      response = await fetch(address, {
        method,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      return { status: 0, data: { error: rt.offline_error } };
    }
    const data = await response.json().catch(() => ({ error: rt.server_error }));
    return { status: response.status, data };
  }

  function renderPhotos() {
    const items = shown.photos.map((photo, i) => {
      const n = i + 1;
      return el("li", { className: "photo", dataset: { photoId: photo.id } },
        el("a", { href: photo.url, target: "_blank", rel: "noopener" },
          el("img", { src: photo.thumb_url, alt: rt.photo_n.replace("{n}", n), loading: "lazy", width: 120, height: 90 })),
        mayDeletePhotos() ? el("button", { type: "button", className: "button small danger", dataset: { deletePhoto: photo.id }, "aria-label": rt.remove_photo.replace("{n}", n) }, "×") : null);
    });
    byId("r-photos").replaceChildren(...items);
    byId("r-photos").hidden = !items.length;
  }

  function render() {
    const badge = byId("r-state");
    badge.className = `state-badge state-${shown.state}`;
    badge.textContent = rt[`state_${shown.state}`] || shown.state;
    const nodes = resultNodes(shown, rt, page.locale);
    byId("r-view").replaceChildren(...(nodes.length ? nodes : [el("p", { className: "hint", id: "r-empty" }, rt.no_result)]));
    byId("r-view").hidden = editing;
    byId("r-edit").hidden = editing;
    byId("r-edit").textContent = shown.version ? rt.edit : rt.write;
    renderPhotos();
    document.body.dataset.resultVersion = shown.version;
  }

  function itemRow(item = { id: null, what: "", who: "", due: null }) {
    const row = el("li", { className: "item-row", dataset: item.id ? { id: item.id } : {} });
    const field = (name, label, attrs) => {
      const id = `r-item-${name}-${Math.random().toString(36).slice(2, 9)}`;
      return el("span", { className: `item-field item-field-${name}` }, el("label", { for: id }, label),
        el("input", { id, name: `item-${name}`, ...attrs }));
    };
    row.append(
      field("what", rt.what, { maxlength: 300, autocomplete: "off", lang: page.language }),
      field("who", rt.who, { maxlength: 120, autocomplete: "off", lang: page.language }),
      field("due", rt.due, { type: "date" }),
      el("button", { type: "button", className: "button small danger item-remove", "aria-label": rt.remove_item.replace("{n}", "") }, "×"),
      el("p", { className: "field-error item-error", hidden: true }));
    row.querySelector('[name="item-what"]').value = item.what;
    row.querySelector('[name="item-who"]').value = item.who || "";
    row.querySelector('[name="item-due"]').value = item.due || "";
    return row;
  }

  function fillForm(result) {
    for (const name of TEXT_FIELDS) form.elements[name].value = result[name];
    form.elements.attendees.value = result.attendees ?? "";
    form.elements.links.value = result.links.join("\n");
    itemsList.replaceChildren(...result.action_items.map((item) => itemRow(item)));
    labelRemoveButtons();
  }

  function labelRemoveButtons() {
    [...itemsList.children].forEach((row, i) => row.querySelector(".item-remove").setAttribute("aria-label", rt.remove_item.replace("{n}", i + 1)));
  }

  function collect() {
    const attendees = form.elements.attendees.value.trim();
    return {
      version: base,
      summary: form.elements.summary.value,
      insights: form.elements.insights.value,
      attendees: attendees === "" ? null : Number(attendees),
      links: form.elements.links.value.split("\n").map((line) => line.trim()).filter(Boolean),
      action_items: [...itemsList.children]
        .map((row) => ({
          id: row.dataset.id ? Number(row.dataset.id) : null,
          what: row.querySelector('[name="item-what"]').value,
          who: row.querySelector('[name="item-who"]').value,
          due: row.querySelector('[name="item-due"]').value || null,
        }))
        .filter((item) => item.id !== null || item.what.trim() || item.who.trim() || item.due),
    };
  }

  function openForm() {
    editing = true;
    theirs = null;
    base = shown.version;
    fillForm(shown);
    clearErrors();
    byId("r-newer").hidden = true;
    byId("r-conflict").hidden = true;
    byId("r-submit").textContent = rt.save;
    form.hidden = false;
    render();
    form.elements.summary.focus();
  }

  function closeForm() {
    editing = false;
    theirs = null;
    form.hidden = true;
    byId("r-conflict").hidden = true;
    byId("results").classList.remove("merging");
    document.body.classList.remove("merging-page");
    byId("r-newer").hidden = true;
    render();
    if (stale) reload();
  }

  function clearErrors() {
    const error = byId("r-form-error");
    error.hidden = true;
    error.textContent = "";
    form.querySelectorAll(".field-error").forEach((p) => { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach((f) => f.removeAttribute("aria-invalid"));
  }

  function showErrors(message, fields = {}) {
    const error = byId("r-form-error");
    error.textContent = message;
    error.hidden = false;
    const rows = [...itemsList.children];
    for (const [key, text] of Object.entries(fields)) {
      const [name, index, part] = key.split(".");
      let slot = form.querySelector(`.field-error[data-for="${name}"]`);
      let input = form.elements[name];
      if (name === "action_items" && index !== undefined && rows[Number(index)]) {
        slot = rows[Number(index)].querySelector(".item-error");
        input = rows[Number(index)].querySelector(`[name="item-${part === "id" ? "what" : part}"]`);
      }
      if (slot) { slot.textContent = slot.textContent ? `${slot.textContent} ${text}` : text; slot.hidden = false; }
      if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
    }
  }

  /** After a stale save: the text saved meanwhile beside the user's own, which stays in the form untouched. */
  function showConflict(current, message) {
    theirs = current;
    base = current.version;
    shown = current; // the newest saved result; the form keeps the user's own text
    stale = false;
    render();
    const known = new Set(current.action_items.map((item) => item.id));
    for (const row of itemsList.children) if (row.dataset.id && !known.has(Number(row.dataset.id))) delete row.dataset.id;
    byId("r-conflict-lead").textContent = message;
    byId("r-conflict-heading").textContent = rt.conflict_theirs.replace("{n}", current.version);
    const parts = [];
    for (const name of TEXT_FIELDS) {
      parts.push(el("div", { className: "conflict-part" }, el("h4", {}, rt[name]),
        el("p", { className: current[name] ? "result-text" : "result-text empty", dataset: { theirs: name } }, current[name] || rt.empty),
        current[name] ? el("button", { type: "button", className: "button small", dataset: { use: name } }, rt.use_theirs) : null));
    }
    if (current.action_items.length) {
      parts.push(el("div", { className: "conflict-part" }, el("h4", {}, rt.action_items),
        el("ul", { className: "item-list" }, current.action_items.map((item) => el("li", {}, [item.what, item.who, item.due].filter(Boolean).join(" – ")))),
        el("button", { type: "button", className: "button small", dataset: { use: "action_items" } }, rt.add_theirs)));
    }
    if (current.attendees !== null) parts.push(el("p", {}, rt.attendees_n.replace("{n}", current.attendees)));
    if (current.links.length) {
      parts.push(el("div", { className: "conflict-part" }, el("h4", {}, rt.links), el("p", { className: "result-text" }, current.links.join("\n")),
        el("button", { type: "button", className: "button small", dataset: { use: "links" } }, rt.use_theirs)));
    }
    byId("r-theirs").replaceChildren(...parts);
    byId("r-conflict").hidden = false;
    byId("results").classList.add("merging");
    document.body.classList.add("merging-page");
    byId("r-newer").hidden = true;
    byId("r-submit").textContent = rt.save_merged;
    byId("r-conflict").scrollIntoView({ block: "start" });
  }

  function useTheirs(name) {
    if (!theirs) return;
    if (TEXT_FIELDS.includes(name)) form.elements[name].value = theirs[name];
    else if (name === "links") form.elements.links.value = theirs.links.join("\n");
    else if (name === "action_items") {
      const have = new Set([...itemsList.children].map((row) => row.dataset.id).filter(Boolean).map(Number));
      for (const item of theirs.action_items) if (!have.has(item.id)) itemsList.append(itemRow(item));
      labelRemoveButtons();
    }
  }

  async function save(event) {
    event.preventDefault();
    clearErrors();
    const submit = byId("r-submit");
    submit.disabled = true;
    saving = true;
    const { status, data } = await call("PUT", url, collect());
    saving = false;
    submit.disabled = false;
    const arrived = late;
    late = null;
    if (status === 200) {
      shown = data;
      stale = false;
      closeForm();
      announcer.textContent = rt.saved;
      refreshHistory();
      if (arrived) onChange(arrived); // someone else's save right after this one
      return;
    }
    if (status === 409 && data.current) {
      showConflict(data.current, data.error);
      return;
    }
    showErrors(data.error || rt.server_error, data.fields || {});
  }

  async function reload() {
    const { status, data } = await call("GET", url);
    if (status !== 200) return false;
    shown = data;
    stale = false;
    if (!editing) render();
    refreshHistory();
    return true;
  }

  async function refreshPhotos() {
    const { status, data } = await call("GET", url);
    if (status !== 200) return;
    shown = { ...shown, photos: data.photos };
    renderPhotos();
  }

  async function upload(files) {
    const error = byId("r-upload-error");
    const progress = byId("r-progress");
    const status = byId("r-upload-status");
    const problems = [];
    error.hidden = true;
    for (const [i, file] of files.entries()) {
      status.textContent = rt.uploading.replace("{n}", i + 1).replace("{total}", files.length);
      progress.hidden = false;
      progress.value = 0;
      const answer = await send(file, (fraction) => { progress.value = Math.round(fraction * 100); });
      if (answer.status === 201) {
        shown.photos = [...shown.photos.filter((p) => p.id !== answer.data.id), answer.data]; // the live delta may have brought it first
        renderPhotos();
      } else {
        const reason = (answer.data.fields && answer.data.fields.photo) || answer.data.error || rt.server_error;
        problems.push(rt.upload_failed.replace("{name}", file.name).replace("{error}", reason));
      }
    }
    progress.hidden = true;
    status.textContent = problems.length < files.length ? rt.uploaded : "";
    error.textContent = problems.join(" ");
    error.hidden = !problems.length;
  }

  function send(file, onProgress) {
    return new Promise((resolve) => {
      const request = new XMLHttpRequest();
      request.open("POST", `${url}/photos`);
      request.setRequestHeader("X-CSRFToken", csrf);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); });
      request.addEventListener("load", () => {
        let data;
        try { data = JSON.parse(request.responseText); } catch { data = { error: request.status === 413 ? null : rt.server_error }; }
        resolve({ status: request.status, data: data || { error: rt.server_error } });
      });
      request.addEventListener("error", () => resolve({ status: 0, data: { error: rt.offline_error } }));
      const body = new FormData();
      body.append("photo", file);
      request.send(body);
    });
  }

  async function deletePhoto(photoId) {
    if (!window.confirm(rt.confirm_remove_photo)) return;
    const { status, data } = await call("DELETE", `${url}/photos/${photoId}`);
    if (status === 200) {
      shown.photos = shown.photos.filter((p) => p.id !== photoId);
      renderPhotos();
    } else {
      const error = byId("r-upload-error");
      error.textContent = data.error || rt.server_error;
      error.hidden = false;
    }
  }

  async function refreshHistory() {
    const details = byId("r-history");
    if (!details.open) return;
    const { status, data } = await call("GET", `${url}/history`);
    if (status !== 200) return;
    const when = new Intl.DateTimeFormat(page.locale, { dateStyle: "medium", timeStyle: "short", timeZone: page.timezone });
    const items = data.versions.map((v) => el("li", { className: "history-item" },
      el("p", { className: "history-line" }, rt.version_line.replace("{n}", v.version).replace("{state}", rt[`state_${v.state}`] || v.state)
        .replace("{role}", rt[`role_${v.role}`] || v.role).replace("{at}", when.format(new Date(v.at)))),
      v.summary ? el("p", { className: "result-text history-summary", lang: page.language }, v.summary) : null));
    byId("r-history-list").replaceChildren(...(items.length ? items : [el("li", { className: "hint" }, rt.history_empty)]));
  }

  byId("r-edit").addEventListener("click", openForm);
  byId("r-cancel").addEventListener("click", closeForm);
  byId("r-add-item").addEventListener("click", () => {
    const row = itemRow();
    itemsList.append(row);
    labelRemoveButtons();
    row.querySelector("input").focus();
  });
  itemsList.addEventListener("click", (event) => {
    const button = event.target.closest(".item-remove");
    if (!button) return;
    button.closest("li").remove();
    labelRemoveButtons();
    byId("r-add-item").focus();
  });
  byId("r-theirs").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-use]");
    if (button) useTheirs(button.dataset.use);
  });
  form.addEventListener("submit", save);
  for (const id of ["r-camera", "r-gallery"]) {
    byId(id).addEventListener("change", (event) => {
      const files = [...event.target.files];
      event.target.value = "";
      if (files.length) upload(files);
    });
  }
  byId("r-photos").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-delete-photo]");
    if (button) deletePhoto(Number(button.dataset.deletePhoto));
  });
  byId("r-history").addEventListener("toggle", refreshHistory);
  render();

  let joined = false;
  /** Called with every change of the wall (null for a snapshot after a (re)connect). */
  function onChange(change) {
    if (change === null) {
      // A snapshot: on a reconnect, the result may have changed while this page was away.
      if (joined && !editing) reload();
      joined = true;
      return;
    }
    if (change.type !== "result_changed" || !change.result || change.result.topic_id !== page.topic_id) return;
    if (change.result.photos !== undefined) {
      // Photos added, removed or hidden elsewhere: only the photos are fetched again (what is typed stays).
      const visible = shown.photos.filter((p) => !p.hidden).map((p) => p.id).sort((a, b) => a - b);
      if (visible.join() !== change.result.photos.join()) refreshPhotos();
      return;
    }
    if (saving) {
      late = change;
      return;
    }
    if (change.result.version <= shown.version && change.result.state === shown.state) return; // this page's own save
    if (editing) {
      stale = true;
      const notice = byId("r-newer");
      notice.textContent = rt.newer;
      notice.hidden = false;
      return;
    }
    reload().then((ok) => { if (ok) announcer.textContent = rt.newer_shown; });
  }
  return onChange;
}

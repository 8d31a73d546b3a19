// Projector wall: today's grid fitted to the screen, live, now/next highlighted and always shown, the rest paged.
import { connectWall } from "./live.js";
import {
  announce, announcementItems, clock, dayKey, dayLabel, el, lockText, nowAndNext, pageJson, rerenderAtExpiry, showStatus, slotTime, topicsByCell,
} from "./render.js";
import { browserHyphenates, hyphenateWide } from "./hyphenate.js";
import { checkinSlot, headcountNode, interestBadge } from "./counts.js";
import { HOST_RATIO, columnWidth, planPages, shownDay, titleFloor } from "./wallfit.js";

const page = pageJson("page-data");
const texts = pageJson("texts");
const rt = pageJson("result-texts");
const locale = page.locale;
const statusNode = document.getElementById("status");
const announcer = document.getElementById("announcer");
const grid = document.getElementById("grid");
const wrap = document.getElementById("grid-wrap");
const pager = document.getElementById("pager");
const fresh = new Map(); // topic id -> time it arrived
const FRESH_MS = 12000;
const QUEUE_SHOWN = 6;
const PAGE_MS = 12000;
const wall = { state: page.state, plan: null, index: 0, space: null };
const hyphenates = browserHyphenates(page.state.event.language);
const family = getComputedStyle(grid).fontFamily;

/** A quiet mark after the host for a session whose results are written down. */
function resultMark(topic) {
  if (topic.result_state !== "documented" && topic.result_state !== "reviewed") return null;
  return [" ", el("span", { className: "result-mark" }, el("span", { "aria-hidden": "true" }, `✓ ${rt.mark}`), el("span", { className: "sr-only" }, rt.mark_label))];
}

function topicNodes(topic, lang, fit = (text) => text) {
  return [el("span", { className: "topic-title", lang }, fit(topic.title, "title")), el("span", { className: "topic-host", lang }, fit(topic.host, "host"), resultMark(topic))];
}

const measure = document.createElement("canvas").getContext("2d");

/** Soft hyphens for words wider than a room column of `rooms` at title size `t`, where the browser has none. */
function wordFitter(rooms, t) {
  if (hyphenates) return (text) => text;
  const column = columnWidth(wall.space.width, rooms, t, titleFloor(window.innerWidth, window.innerHeight) * 0.25);
  return (text, kind) => hyphenateWide(text, column, kind === "host" ? `400 ${t * HOST_RATIO}px ${family}` : `700 ${t}px ${family}`);
}

/** The widest word of the rooms' names and of their topics on the shown day, in title sizes. */
function widestWord(ctx, rooms) {
  const widest = (strings, weight, scale) => {
    measure.font = `${weight} 100px ${family}`;
    let most = 0;
    for (const text of strings) for (const word of text.split(/\s+/)) most = Math.max(most, measure.measureText(word).width);
    return (most / 100) * scale;
  };
  const topics = ctx.slots.flatMap((slot) => rooms.map((room) => ctx.byCell.get(`${room.id}:${slot.id}`)).filter(Boolean));
  return Math.max(widest([...rooms.map((r) => r.name), ...topics.map((t) => t.title)], 700, 1), widest(topics.map((t) => t.host), 400, HOST_RATIO));
}

/** A projector cannot scroll: the newest unplaced topics that fit on the screen, then how many more there are. */
function renderQueue(queue, isFresh, lang) {
  const list = document.getElementById("queue");
  if (!queue.length) {
    list.replaceChildren(el("li", { className: "empty" }, texts.empty_queue));
    return;
  }
  const shown = queue.slice(0, QUEUE_SHOWN).map((t) => el("li", { className: isFresh(t) ? "fresh" : null }, topicNodes(t, lang), interestBadge(t, texts)));
  const more = el("li", { className: "more" });
  list.replaceChildren(...shown, more);
  const count = () => {
    more.hidden = shown.length === queue.length;
    more.textContent = texts.more.replace("{n}", queue.length - shown.length);
  };
  count();
  const bottom = list.closest(".side").getBoundingClientRect().bottom;
  while (shown.length > 1 && list.getBoundingClientRect().bottom > Math.min(bottom, window.innerHeight)) {
    shown.pop().remove();
    count();
  }
}

/** Everything one render needs from the state and the clock. */
function context(state) {
  const tz = state.event.timezone;
  const { current, next } = nowAndNext(state.slots);
  const day = shownDay(state.slots, tz);
  const now = Date.now();
  return {
    state, tz, current, next,
    lang: state.event.language,
    byCell: topicsByCell(state),
    slots: state.slots.filter((slot) => dayKey(slot.starts_at, tz) === day),
    isFresh: (topic) => fresh.has(topic.id) && now - fresh.get(topic.id) < FRESH_MS,
    checkin: checkinSlot(state.slots, now), // the slot whose rooms show their headcounts
  };
}

function badge(ctx, slot) {
  if (slot.id === ctx.current) return el("span", { className: "badge" }, texts.now_heading);
  if (slot.id === ctx.next) return el("span", { className: "badge" }, texts.next_heading);
  return null;
}

function slotRow(ctx, slot, rooms, fit) {
  const className = [slot.is_break ? "break-row" : null, slot.id === ctx.current ? "now" : slot.id === ctx.next ? "next" : null].filter(Boolean).join(" ") || null;
  const time = el("span", { className: "slot-time" }, slotTime(slot, locale, ctx.tz));
  if (slot.is_break) {
    return el("tr", { className, dataset: { slotId: slot.id } }, el("th", { scope: "row" }, time),
      el("td", { className: "break", colspan: rooms.length }, el("span", { className: "slot-label", lang: ctx.lang }, slot.label || texts.break), badge(ctx, slot)));
  }
  return el("tr", { className, dataset: { slotId: slot.id } },
    el("th", { scope: "row" }, time, slot.label ? el("span", { className: "slot-label", lang: ctx.lang }, slot.label) : null, badge(ctx, slot)),
    rooms.map((room) => {
      const topic = ctx.byCell.get(`${room.id}:${slot.id}`);
      const counts = [topic ? interestBadge(topic, texts) : null, slot.id === ctx.checkin ? headcountNode(ctx.state, room, texts) : null].filter(Boolean);
      return el("td", { className: `${topic ? "taken" : "free"}${topic && ctx.isFresh(topic) ? " fresh" : ""}`, dataset: { roomId: room.id } },
        topic ? topicNodes(topic, ctx.lang, fit) : null, counts.length ? el("span", { className: "counts" }, counts) : null);
    }));
}

/** Render `slots` × `rooms` into the grid with titles of `t` px, cut after `lines` lines (0: never). */
function drawGrid(ctx, slots, rooms, t, lines) {
  grid.style.setProperty("--t", `${t}px`);
  grid.style.setProperty("--lines", lines);
  grid.classList.toggle("clamped", lines > 0);
  const fit = wordFitter(rooms.length, t);
  const head = el("tr", {}, el("th", { scope: "col", className: "corner" }), rooms.map((room) => el("th", { scope: "col", dataset: { roomId: room.id }, lang: ctx.lang }, fit(room.name, "title"))));
  grid.replaceChildren(el("thead", {}, head), el("tbody", {}, slots.map((slot) => slotRow(ctx, slot, rooms, fit))));
}

/** The page to stay on after re-planning: the same rooms and slots as before if they still form a page. */
function keepPage(plan, old, index) {
  if (!old) return 0;
  const was = old.pages[index % old.pages.length];
  const same = plan.pages.findIndex((p) => p.group === was.group && p.first === was.first);
  if (same >= 0) return same;
  const near = plan.pages.findIndex((p) => p.group === was.group && p.slots.some((s) => s.id === was.first));
  return near >= 0 ? near : Math.min(index, plan.pages.length - 1);
}

function showPage(ctx, turning) {
  const { plan } = wall;
  const shown = plan.pages[wall.index];
  drawGrid(ctx, shown.slots, shown.rooms, plan.t, plan.lines);
  grid.classList.toggle("page-in", turning);
  pager.classList.toggle("single", plan.pages.length < 2);
  pager.textContent = texts.page.replace("{n}", wall.index + 1).replace("{total}", plan.pages.length);
  document.body.dataset.page = `${wall.index + 1}/${plan.pages.length}`;
}

function renderHeader(ctx) {
  const { state } = ctx;
  const venue = document.getElementById("venue");
  venue.textContent = state.event.venue || "";
  venue.hidden = !state.event.venue;
  const multiDay = new Set(state.slots.map((s) => dayKey(s.starts_at, ctx.tz))).size > 1;
  document.getElementById("wall-day").textContent = multiDay && ctx.slots.length ? dayLabel(ctx.slots[0].starts_at, locale, ctx.tz) : "";
  const nowSlot = state.slots.find((s) => s.id === ctx.current);
  const nextSlot = state.slots.find((s) => s.id === ctx.next);
  const line = [];
  if (nowSlot) line.push(`${texts.now_heading}: ${slotTime(nowSlot, locale, ctx.tz)}${nowSlot.label ? ` ${nowSlot.label}` : ""}`);
  if (nextSlot) line.push(`${texts.next_heading}: ${clock(nextSlot.starts_at, locale, ctx.tz)}${nextSlot.label ? ` ${nextSlot.label}` : ""}`);
  document.getElementById("now-next").textContent = line.join(" · ");
}

/** The lock band and the announcements above the wall: in the page's flow, so the grid is planned below them. */
function renderBands(state) {
  const band = document.getElementById("locked-notice");
  band.textContent = lockText(state, texts);
  band.hidden = !state.event.locked;
  const list = document.getElementById("announcements");
  const items = announcementItems(state, texts, locale);
  list.replaceChildren(...items);
  list.hidden = !items.length;
  rerenderAtExpiry("projector", state, () => render(live.state || wall.state));
}

function marketOpen(state) {
  return Boolean(state.marketplace && state.marketplace.open);
}

/** The marketplace: the topic presented now, large, and the next ones beside it. */
function renderMarket(state) {
  const market = state.marketplace;
  const lang = state.event.language;
  const topic = market.current;
  const count = topic ? texts.market_count.replace("{n}", market.position + 1).replace("{total}", market.total) : "";
  document.getElementById("market-count").textContent = [texts.market, count].filter(Boolean).join(" · ");
  document.getElementById("market-title").textContent = topic ? topic.title : market.total ? texts.market_done : texts.market_waiting;
  const cohosts = topic && topic.cohosts.length ? ` ${texts.cohosts.replace("{names}", topic.cohosts.join(", "))}` : "";
  document.getElementById("market-host").textContent = topic ? `${topic.host}${cohosts}` : "";
  for (const name of ["goal", "context"]) {
    const line = document.getElementById(`market-${name}`);
    line.replaceChildren(...(topic && topic[name] ? [el("strong", {}, `${texts[name]}: `), topic[name]] : []));
    line.hidden = !(topic && topic[name]);
  }
  const next = market.next.map((t) => el("li", { className: fresh.has(t.id) ? "fresh" : null }, topicNodes(t, lang)));
  const later = market.total - market.position - 1 - market.next.length;
  if (later > 0) next.push(el("li", { className: "more" }, texts.more.replace("{n}", later)));
  document.getElementById("market-next").replaceChildren(...(next.length ? next : [el("li", { className: "empty" }, texts.market_nothing_next)]));
  fitMarket();
}

/** Shrink the current topic's text until it fits its box (a long goal or context), never below half size. */
function fitMarket() {
  const box = document.getElementById("market-current");
  let scale = 1;
  box.style.setProperty("--m", scale);
  while (box.scrollHeight > box.clientHeight + 1 && scale > 0.5) {
    scale -= 0.05;
    box.style.setProperty("--m", scale.toFixed(2));
  }
}

/** Re-plan the wall for the state and the screen, staying on the page shown so far. */
function render(state) {
  wall.state = state;
  const ctx = context(state);
  renderBands(state);
  document.body.classList.toggle("market-mode", marketOpen(state));
  renderHeader(ctx); // the pager keeps its text while planning: the grid's space must not change under the plan
  if (marketOpen(state)) {
    renderMarket(state);
    pager.classList.add("single");
    document.body.dataset.revision = state.revision;
    document.body.dataset.size = `${window.innerWidth}x${window.innerHeight}`;
    return;
  }
  const box = wrap.getBoundingClientRect();
  wall.space = { width: box.width, height: box.height };
  const floor = titleFloor(window.innerWidth, window.innerHeight);
  const plan = planPages({
    slots: ctx.slots,
    rooms: state.rooms,
    pinned: new Set([ctx.current, ctx.next].filter((id) => ctx.slots.some((s) => s.id === id))),
    floor,
    gap: floor * 0.25,
    space: wall.space,
    grid,
    draw: (slots, rooms, t, lines) => drawGrid(ctx, slots, rooms, t, lines),
    widest: (rooms) => widestWord(ctx, rooms),
  });
  wall.index = keepPage(plan, wall.plan, wall.index);
  wall.plan = plan;
  showPage(ctx, false);
  renderQueue(state.topics.filter((t) => t.room_id === null).reverse(), ctx.isFresh, ctx.lang);
  document.body.dataset.revision = state.revision;
  document.body.dataset.size = `${window.innerWidth}x${window.innerHeight}`;
}

/** Turn to the next page on a calm timer (the fade is dropped under prefers-reduced-motion by wall.css). */
function turnPage() {
  if (!wall.plan || wall.plan.pages.length < 2 || marketOpen(wall.state)) return;
  wall.index = (wall.index + 1) % wall.plan.pages.length;
  showPage(context(wall.state), true);
}

const live = connectWall({
  slug: page.slug,
  initial: page.state,
  onState(state, change) {
    if (change && change.topic && change.type !== "result_changed") fresh.set(change.topic.id, Date.now());
    render(state);
    announce(announcer, change, state, texts);
  },
  onStatus(status) { showStatus(statusNode, status, texts); },
  onCounts(state) { render(state); },
});
render(page.state);
setInterval(() => render(live.state || wall.state), 15000);
setInterval(turnPage, PAGE_MS);
// A new screen size (or a header that grew) re-plans the wall for the space the grid now has.
const observer = new ResizeObserver(() => {
  if (marketOpen(live.state || wall.state)) {
    fitMarket();
    return;
  }
  const box = wrap.getBoundingClientRect();
  if (!wall.space || Math.abs(box.width - wall.space.width) > 1 || Math.abs(box.height - wall.space.height) > 1) render(live.state || wall.state);
});
observer.observe(wrap);
observer.observe(document.getElementById("market"));

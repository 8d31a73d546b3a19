// Fitting the projector wall to its screen: which day it shows, how large its text is, how it pages.
import { dayKey } from "./render.js";

const TITLE_FLOOR = 28; // px of a title on a 1080 px screen: legible from 10 m
const HOST_FLOOR = 20;
export const HOST_RATIO = HOST_FLOOR / TITLE_FLOOR;
const MAX_SCALE = 2.2; // a small wall grows its text up to this many times the floor
export const COLUMN_EM = 7.6; // a room column is at least this many title sizes wide
const LINES = 7; // at the floor a title may be cut after this many lines, rather than paging ...
const MIN_LINES = 3; // ... down to this many; pages then cut titles after
const PAGED_LINES = 4;

/**
 * The smallest title size in px for a screen: 28 px per 1080 px of its short side (its height in landscape,
 * its width in portrait, so 1080×1920 reads like 1920×1080). static/css/wall.css defines the same --floor.
 */
export function titleFloor(width, height) {
  return (Math.min(width, height) * TITLE_FLOOR) / 1080;
}

/** The day (YYYY-MM-DD in the event's time zone) the wall shows: today, else the next day with slots, else the last. */
export function shownDay(slots, timeZone, now = new Date()) {
  const days = [...new Set(slots.map((slot) => dayKey(slot.starts_at, timeZone)))].sort();
  if (!days.length) return null;
  const today = dayKey(now.toISOString(), timeZone);
  return days.find((day) => day >= today) ?? days[days.length - 1];
}

/** `items` split into as few groups of at most `size` as possible, all about equally large. */
export function balancedGroups(items, size) {
  const count = Math.max(1, Math.ceil(items.length / Math.max(1, size)));
  const per = Math.ceil(items.length / count);
  const groups = [];
  for (let i = 0; i < items.length; i += per) groups.push(items.slice(i, i + per));
  return groups.length ? groups : [[]];
}

/** Greedy runs of consecutive items whose costs add up to at most `budget` (every run holds at least one item). */
export function packRuns(items, cost, budget) {
  const runs = [];
  let run = [];
  let used = 0;
  for (const item of items) {
    const c = cost(item);
    if (run.length && used + c > budget) {
      runs.push(run);
      run = [];
      used = 0;
    }
    run.push(item);
    used += c;
  }
  if (run.length || !runs.length) runs.push(run);
  return runs;
}

/** The width for text in one room column when `count` rooms share `width` px at title size `t` (see wall.css). */
export function columnWidth(width, count, t, gap) {
  return (width - gap * (count + 2) - t * 5.2) / count - t * 0.6 - gap * 0.64;
}

/** How many room columns fit beside the time column at title size `t`. */
export function columnsThatFit(width, t, gap) {
  const timeColumn = t * 5.2 + gap;
  return Math.max(1, Math.floor((width - timeColumn - gap) / (t * COLUMN_EM + gap)));
}

/**
 * Plan the wall for the shown slots, preferring, in order: the whole day on one page, its text as large as fits;
 * the same at the floor with titles cut after the most lines that fit (LINES down to MIN_LINES); one page per group
 * of rooms when more rooms than columns fit (again as large as fits, or cut); and only then pages at the floor that
 * each show the pinned slots (now and next) plus a run of the others, per group of rooms.
 * Above the floor no word may be wider than its column: text grows only while words stay whole.
 * `draw(slots, rooms, t, lines)` renders them into `grid` (lines 0: titles never cut), which may fill `space`;
 * `widest(rooms)` is the widest word in those rooms' cells, in title sizes.
 */
export function planPages({ slots, rooms, pinned, floor, gap, space, grid, draw, widest }) {
  const words = new Map();
  const fits = (group, t, lines) => {
    if (group.length > columnsThatFit(space.width, t, gap)) return false;
    if (t > floor) {
      if (!words.has(group)) words.set(group, widest(group));
      if (words.get(group) * t > columnWidth(space.width, group.length, t, gap)) return false;
    }
    draw(slots, group, t, lines);
    return grid.offsetHeight <= space.height;
  };
  const largest = (group) => {
    let low = floor;
    let high = floor * MAX_SCALE;
    if (fits(group, high, 0)) return high;
    for (let i = 0; i < 7; i += 1) {
      const mid = (low + high) / 2;
      if (fits(group, mid, 0)) low = mid;
      else high = mid;
    }
    return low;
  };
  const groups = fits(rooms, floor, 0) ? [rooms] : balancedGroups(rooms, columnsThatFit(space.width, floor, gap));
  const whole = groups.map((group, g) => ({ rooms: group, slots, group: g, first: null }));
  if (groups.every((group) => fits(group, floor, 0))) {
    return { t: Math.floor(Math.min(...groups.map(largest)) * 10) / 10, lines: 0, pages: whole };
  }
  for (let lines = LINES; lines >= MIN_LINES; lines -= 1) {
    if (groups.every((group) => fits(group, floor, lines))) return { t: floor, lines, pages: whole };
  }
  const pages = [];
  groups.forEach((group, g) => {
    draw(slots, group, floor, PAGED_LINES);
    const rows = [...grid.tBodies[0].rows];
    const height = new Map(rows.map((row) => [Number(row.dataset.slotId), row.getBoundingClientRect().height + gap]));
    const head = grid.tHead.getBoundingClientRect().height + 2 * gap;
    const fixed = slots.filter((s) => pinned.has(s.id)).reduce((sum, s) => sum + height.get(s.id), 0);
    const others = slots.filter((s) => !pinned.has(s.id));
    const budget = space.height - head - fixed - 2; // 2 px for rounding
    for (const run of packRuns(others, (s) => height.get(s.id), budget)) {
      const ids = new Set(run.map((s) => s.id));
      pages.push({ rooms: group, slots: slots.filter((s) => pinned.has(s.id) || ids.has(s.id)), group: g, first: run.length ? run[0].id : null });
    }
  });
  return { t: floor, lines: PAGED_LINES, pages };
}

// Live connection to one event's wall: snapshot on (re)connect, deltas by revision, resync on any gap.
import { io } from "../vendor/socket.io-client/socket.io.esm.min.js";
import { applyCounts } from "./counts.js";

const WHOLE_PARTS = ["event", "rooms", "slots", "announcements", "marketplace"];

/** Apply one `wall_changed` delta to a wall state and return the new state. */
export function applyChange(state, message) {
  const change = message.change;
  const next = { ...state, revision: message.revision };
  // One generic step (wall.apply_change on the server): parts carried whole replace the old ones; every topic
  // carried replaces its old version; removed ones go.
  for (const part of WHOLE_PARTS) if (part in change) next[part] = change[part];
  const carried = change.topics || (change.topic ? [change.topic] : []);
  const gone = new Set([...carried.map((t) => t.id), ...(change.removed || [])]);
  if (change.topic_id !== undefined) gone.add(change.topic_id);
  if (gone.size) {
    next.topics = state.topics.filter((t) => !gone.has(t.id)).concat(carried);
    next.topics.sort((a, b) => a.id - b.id);
  }
  return next;
}

let shownName = null;

/** Show a renamed event: every element marked data-event-name, and the tab's title. */
function showEventName(state) {
  const name = state && state.event && state.event.name;
  if (!name || name === shownName) return;
  const marked = document.querySelectorAll("[data-event-name]");
  const was = shownName ?? (marked.length ? marked[0].textContent : null);
  marked.forEach((node) => { node.textContent = name; });
  if (was && document.title.startsWith(was)) document.title = name + document.title.slice(was.length);
  shownName = name;
}

/**
 * Connect to the event `slug`; calls onState(state, change, mine, marked) — `mine` (own topic ids) and `marked`
 * (topics this browser marked as interesting) only with snapshots — and onStatus("live" | "reconnecting" |
 * "connecting"). New counts (`counts_changed`) call onCounts(state, message), or onState(state, null, null).
 */
export function connectWall({ slug, initial, onState: show, onStatus, onCounts }) {
  let state = initial || null;
  const onState = (wall, change, mine, marked) => {
    showEventName(wall);
    show(wall, change, mine, marked);
  };
  let joining = false;
  let buffered = [];
  const socket = io({
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 4000,
    randomizationFactor: 0.5,
  });

  function join() {
    if (joining || !socket.connected) return;
    joining = true;
    socket.timeout(8000).emit("join", { event: slug }, (err, reply) => {
      joining = false;
      if (err || !reply || !reply.ok) {
        onStatus("reconnecting");
        setTimeout(join, 2000);
        return;
      }
      state = reply.wall;
      const pending = buffered.filter((m) => m.revision > state.revision).sort((a, b) => a.revision - b.revision);
      buffered = [];
      onState(state, null, reply.mine || [], reply.marked || []);
      onStatus("live");
      pending.forEach(receive);
    });
  }

  function receive(message) {
    if (!message || typeof message.revision !== "number") return;
    if (joining || !state) {
      buffered.push(message);
      return;
    }
    if (message.revision <= state.revision) return;
    if (message.revision !== state.revision + 1) {
      join();
      return;
    }
    state = applyChange(state, message);
    onState(state, message.change, null);
  }

  socket.on("connect", () => {
    onStatus("connecting");
    join();
  });
  socket.on("disconnect", () => onStatus("reconnecting"));
  socket.on("connect_error", () => onStatus("reconnecting"));
  socket.on("wall_changed", receive);
  socket.on("counts_changed", (message) => {
    // While joining, the snapshot on its way is newer than any counts sent before it.
    if (joining || !state || !message) return;
    state = applyCounts(state, message);
    if (onCounts) onCounts(state, message);
    else onState(state, null, null);
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) join();
  });
  window.addEventListener("online", () => {
    if (!socket.connected) socket.connect();
  });
  return {
    get state() { return state; },
    get connected() { return socket.connected; },
    /** Replace the state (e.g. with a count an answer just carried); the caller renders. */
    update(change) { if (state) state = change(state); },
    resync: join,
    socket,
  };
}

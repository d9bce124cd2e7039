// The check-in scanner: a volunteer's phone at a checkpoint reads tickets by camera (vendored qr-scanner), by a
// keyboard-wedge USB scanner (fast keystrokes ending in Enter) or by a typed code, and shows a large verdict with
// a sound. Every scan goes to POST /checkin/api/scans with a nonce; when that fails (no network, 3 s without an
// answer, a server error) the verdict is decided here from the last sync (keys, revoked tickets, admissions) and
// this device's own scans, shown marked "offline", and queued in IndexedDB until the connection returns.

import { normaliseCode } from "./checkin/code.js";
import * as store from "./checkin/store.js";
import { parseToken, verifyToken } from "./checkin/token.js";

const root = document.getElementById("scanner");
const T = JSON.parse(document.getElementById("scanner-strings").textContent);
const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const CHECKPOINT = Number(root.dataset.checkpointId);
const URLS = {
  scan: root.dataset.scanUrl,
  sync: root.dataset.syncUrl,
  undo: root.dataset.undoUrl, // ".../scans/0/undo": 0 is replaced by the scan id
  qr: root.dataset.qrScannerUrl,
};
const REQUEST_TIMEOUT = 3000;
const SYNC_EVERY = 60_000;
const RETRY_EVERY = 15_000;
const VERDICT_HOLD = 2500; // the big verdict stays this long, then the screen says "ready" again
const SAME_CODE_PAUSE = 2000; // the camera ignores a code still in view; it counts again after this long away
const WEDGE_GAP = 50; // ms between keystrokes of a wedge scanner (people type slower)
const UNDO_OFFLINE = 5 * 60_000;
const KEEP_SCANS = 3 * 24 * 3600_000; // sent scans are forgotten after three days; unsent ones never

const el = (id) => document.getElementById(id);
const ui = {
  verdict: el("verdict"),
  title: el("verdict-title"),
  detail: el("verdict-detail"),
  mode: el("verdict-mode"),
  live: el("verdict-live"),
  hint: el("verdict-hint"),
  network: el("network-state"),
  pending: el("pending-count"),
  synced: el("synced-at"),
  form: el("code-form"),
  code: el("code-input"),
  video: el("camera-video"),
  cameraButton: el("camera-button"),
  cameraState: el("camera-state"),
  history: el("scan-history"),
  signIn: el("signin-needed"),
  soundOff: el("sound-off"),
};

// ---------------------------------------------------------------- device, clock, formatting

function uuid() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function deviceId() {
  const KEY = "dxday.checkin.device";
  let id = null;
  try {
    id = localStorage.getItem(KEY);
    if (!id) {
      id = uuid();
      localStorage.setItem(KEY, id);
    }
  } catch (_) {
    id = id || uuid();
  }
  return id;
}

const DEVICE = deviceId();
const ZONE = root.dataset.timezone || "Asia/Ho_Chi_Minh";
const dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" });
const timeFormat = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

// The server's clock as this phone last learnt it (the sync's server_time): the phone's own may be hours or days
// off, and the server trusts an offline scan's time only between the last sync and its own now.
let clockSkew = 0; // ms to add to Date.now()
let syncStamp = null; // the last sync's signed stamp, sent with every scan queued offline
const serverNow = () => new Date(Date.now() + clockSkew);

function learnSync(data) {
  if (!data) return;
  const server = Date.parse(data.server_time);
  const here = Date.parse(data.synced_at);
  if (Number.isFinite(server) && Number.isFinite(here)) clockSkew = server - here;
  syncStamp = data.sync_stamp || null;
}

const localDay = (date) => dayFormat.format(date); // YYYY-MM-DD in the campaign's zone
const shownDay = (iso) => iso.split("-").reverse().join("/"); // 2027-10-02 -> 02/10/2027, as the server writes it
/** The ticket's day, or its first and last days ("02/10/2027–03/10/2027"), as the server says them. */
const dayList = (days) => (days.length > 1 ? `${shownDay(days[0])}–${shownDay(days[days.length - 1])}` : shownDay(days[0]));
const localTime = (date) => timeFormat.format(date); // HH:MM, 24-hour

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, k) => (k in values ? values[k] : ""));
}

// ---------------------------------------------------------------- sound

let audio = null;

function unlockAudio() {
  if (audio) return;
  const Context = window.AudioContext || window.webkitAudioContext;
  if (Context) audio = new Context();
}

function beep(admitted) {
  if (!audio) return;
  if (audio.state === "suspended") audio.resume();
  // admitted: two short high notes; refused: one long low buzz
  const notes = admitted ? [[880, 0, 0.09], [1320, 0.12, 0.12]] : [[196, 0, 0.45]];
  for (const [freq, start, length] of notes) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = admitted ? "sine" : "square";
    osc.frequency.value = freq;
    const t = audio.currentTime + start;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.3, t + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + length);
    osc.connect(gain).connect(audio.destination);
    osc.start(t);
    osc.stop(t + length + 0.02);
  }
}

// A browser lets a page buzz and sound only after a tap or a key on it. The camera comes back on by itself after a
// reload, before any tap: until then the phone stays silent (no blocked vibrate call) and says that one tap turns
// sound and vibration back on.
const activated = () => !navigator.userActivation || navigator.userActivation.hasBeenActive;

function rearm() {
  unlockAudio();
  if (audio && audio.state === "suspended") audio.resume().catch(() => {});
  ui.soundOff.hidden = true;
}

document.addEventListener("pointerdown", rearm, { capture: true });
document.addEventListener("keydown", rearm, { capture: true });

function buzz(pattern) {
  if (!navigator.vibrate) return;
  if (activated()) navigator.vibrate(pattern);
  else ui.soundOff.hidden = false;
}

// ---------------------------------------------------------------- the verdict on screen

let holdTimer = null;

function showVerdict(result) {
  const { verdict, admitted, message, offline } = result;
  clearTimeout(holdTimer);
  ui.verdict.dataset.verdict = verdict;
  ui.verdict.dataset.admitted = admitted ? "true" : "false";
  ui.verdict.classList.remove(...VERDICT_CLASSES);
  ui.verdict.classList.add(verdictClass(verdict, admitted));
  ui.verdict.classList.toggle("verdict--offline", Boolean(offline));
  ui.title.textContent = T.verdicts[verdict] || T.verdicts.unknown;
  ui.detail.textContent = message || "";
  ui.mode.hidden = !offline;
  // the live region gets one sentence, so a screen reader says it once
  ui.live.textContent = [offline ? T.offline : "", ui.title.textContent, message || ""].filter(Boolean).join(". ");
  if (!activated()) ui.soundOff.hidden = false;
  beep(admitted);
  buzz(admitted ? 80 : [200, 80, 200]);
  // an admission clears itself; a refusal stays until the next scan or a tap, so a volunteer who looked away
  // still sees why the person was stopped
  ui.verdict.dataset.held = admitted ? "false" : "true";
  ui.hint.hidden = admitted;
  if (admitted) holdTimer = setTimeout(ready, VERDICT_HOLD);
}

const VERDICT_CLASSES = ["verdict--ready", "verdict--ok", "verdict--no", "verdict--again", "verdict--warn", "verdict--busy"];

/** Green lets in; amber for a real ticket already used (look at the person, not the code); red for a ticket that
 * is not valid here at all. */
function verdictClass(verdict, admitted) {
  if (admitted) return "verdict--ok";
  if (verdict === "already_checked_in") return "verdict--again";
  if (verdict === "unchecked") return "verdict--warn";
  return "verdict--no";
}

function ready() {
  clearTimeout(holdTimer);
  ui.verdict.classList.remove(...VERDICT_CLASSES);
  ui.verdict.classList.add("verdict--ready");
  ui.verdict.dataset.verdict = "";
  ui.verdict.dataset.held = "false";
  ui.hint.hidden = true;
  ui.title.textContent = T.ready;
  ui.detail.textContent = T.readyHint;
  ui.mode.hidden = true;
}

ui.verdict.addEventListener("click", () => {
  if (ui.verdict.dataset.held === "true") ready();
});

function showBusy() {
  clearTimeout(holdTimer);
  ui.verdict.classList.remove(...VERDICT_CLASSES);
  ui.verdict.classList.add("verdict--busy");
  ui.title.textContent = T.checking;
  ui.detail.textContent = "";
}

// ---------------------------------------------------------------- the history with Undo

const history = []; // newest first: {nonce, id, title, message, admitted, offline, undoUntil, undone}

function renderHistory() {
  ui.history.replaceChildren();
  const now = Date.now();
  for (const item of history.slice(0, 8)) {
    const li = document.createElement("li");
    li.className = item.admitted ? "scan scan--ok" : "scan scan--no";
    const when = document.createElement("span");
    when.className = "scan-time";
    when.textContent = item.time;
    const what = document.createElement("span");
    what.className = "scan-what";
    // the sentence says it all ("Already checked in at 08:15 at the main gate"); the short word when there is none
    what.textContent = (item.message || item.title) + (item.offline ? ` (${T.offline})` : "");
    li.append(when, what);
    if (item.server) {
      const server = document.createElement("span");
      server.className = "scan-server";
      server.textContent = fill(T.serverSaid, { verdict: item.server });
      li.append(server);
    }
    if (item.undone) {
      const note = document.createElement("span");
      note.className = "scan-undone";
      note.textContent = T.undone;
      li.append(note);
    } else if (item.admitted && item.undoUntil && item.undoUntil > now) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button button--ghost scan-undo";
      button.textContent = T.undo;
      button.setAttribute("aria-label", `${T.undo}: ${item.time} ${item.title}`);
      button.addEventListener("click", () => undo(item, button));
      li.append(button);
    }
    ui.history.append(li);
  }
}

// Undo buttons go away when their window closes (the list is redrawn only then, so a focused button stays put)
setInterval(() => {
  const now = Date.now();
  let changed = false;
  for (const item of history) {
    if (item.undoUntil && item.undoUntil <= now && !item.expired) {
      item.expired = true;
      changed = true;
    }
  }
  if (changed) renderHistory();
}, 10_000);

function remember(scan, result) {
  const item = {
    nonce: scan.nonce,
    id: result.id || null,
    title: T.verdicts[result.verdict] || T.verdicts.unknown,
    message: result.message || "",
    admitted: result.admitted,
    offline: Boolean(result.offline),
    time: localTime(new Date(scan.scanned_at)),
    undoUntil: result.undo_until ? Date.parse(result.undo_until) : result.offline ? Date.now() + UNDO_OFFLINE : null,
    undone: false,
  };
  history.unshift(item);
  renderHistory();
}

async function undo(item, button) {
  button.disabled = true;
  const local = await store.getScan(item.nonce);
  if (local && local.pending) {
    // not sent yet: it stops counting on this phone now, and goes up with the queue to be logged and undone there
    local.undo_requested = true;
    local.undone = true;
    local.admitted = false;
    await store.putScan(local);
    item.undone = true;
    renderHistory();
    return;
  }
  const id = item.id || (local && local.server_id);
  if (!id) {
    button.disabled = false;
    return;
  }
  try {
    const response = await post(URLS.undo.replace(/\/0\/undo$/, `/${id}/undo`), {});
    if (response.ok) {
      item.undone = true;
      if (local) {
        local.undone = true;
        local.admitted = false;
        await store.putScan(local);
      }
      ui.live.textContent = T.undone;
    } else {
      const body = await response.json().catch(() => ({}));
      ui.live.textContent = (body.error && body.error.message) || T.undoFailed;
      item.undoUntil = 0;
    }
  } catch (_) {
    ui.live.textContent = T.undoOffline;
    button.disabled = false;
    return;
  }
  renderHistory();
}

// ---------------------------------------------------------------- talking to the server

function post(url, body, timeout = REQUEST_TIMEOUT) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": CSRF },
    body: JSON.stringify(body),
    credentials: "same-origin",
    signal: controller.signal,
  }).finally(() => clearTimeout(timer));
}

let online = navigator.onLine;

function setOnline(value) {
  online = value;
  ui.network.textContent = value ? T.online : T.offlineState;
  ui.network.dataset.state = value ? "online" : "offline";
}

async function refreshPending() {
  const n = (await store.pendingScans()).length;
  ui.pending.textContent = n ? fill(T.pending, { count: n }) : "";
  ui.pending.hidden = n === 0;
  root.dataset.pending = String(n);
}

async function sync() {
  try {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    const response = await fetch(URLS.sync, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller.signal,
    }).finally(() => clearTimeout(timer));
    if (!response.ok) return;
    await store.saveSync(CHECKPOINT, await response.json());
    setOnline(true);
    showSynced();
  } catch (_) {
    setOnline(false);
  }
}

async function showSynced() {
  const data = await store.loadSync(CHECKPOINT);
  learnSync(data);
  ui.synced.textContent = data ? fill(T.synced, { time: localTime(new Date(data.synced_at)) }) : T.neverSynced;
  root.dataset.synced = data ? "true" : "false";
}

let uploading = false;

/** Send every queued scan (oldest first); the server stores a resent nonce once, so a retry is harmless. */
async function upload() {
  if (uploading) return;
  uploading = true;
  try {
    for (const scan of await store.pendingScans()) {
      let response;
      try {
        response = await post(URLS.scan, requestBody(scan), 10_000);
      } catch (_) {
        setOnline(false);
        break;
      }
      if (response.status >= 500) break;
      setOnline(true);
      const body = await response.json().catch(() => ({}));
      if (signedOut(response, body)) break; // kept until someone signs in again on this phone
      if (response.ok && body.scan) {
        scan.pending = 0;
        scan.server_id = body.scan.id;
        scan.server_verdict = body.scan.verdict;
        if (scan.undo_requested && body.scan.admitted && !body.scan.undone) {
          // undone on the phone before it could be sent: the server logs it, then takes it back
          const undone = await post(URLS.undo.replace(/\/0\/undo$/, `/${body.scan.id}/undo`), {}, 10_000).catch(() => null);
          if (!undone || undone.status >= 500) break; // sent again later: the same nonce answers the stored scan
        }
        await store.putScan(scan);
        const item = history.find((h) => h.nonce === scan.nonce);
        if (item) {
          item.id = body.scan.id;
          // the server saw it otherwise (another phone had let the ticket in first): say so on the line
          if (body.scan.verdict !== scan.client_verdict) item.server = T.verdicts[body.scan.verdict] || body.scan.verdict;
          if (!body.scan.admitted) item.undoUntil = 0;
          renderHistory();
        }
      } else if (response.status === 422 || (body.error && body.error.code === "nonce_reused")) {
        scan.pending = 0; // the server will never take it: keep it on the phone, stop resending
        scan.rejected = (body.error && body.error.code) || String(response.status);
        await store.putScan(scan);
      } else {
        break; // 404 (no longer assigned here, or gone), 403, 409: keep the queue; the next retry tries again
      }
    }
  } finally {
    uploading = false;
    await refreshPending();
  }
}

/** True (and the sign-in notice shown) when the answer says the session is gone: not signed in any more (401),
 * or a CSRF token the server no longer takes (signed out everywhere). Scans then wait on the phone. */
function signedOut(response, body) {
  const gone = response.status === 401 || (response.status === 400 && body.error && body.error.code === "csrf_failed");
  ui.signIn.hidden = !gone;
  return gone;
}

function requestBody(scan) {
  const body = {
    token: scan.token,
    checkpoint_id: scan.checkpoint_id,
    device_id: scan.device_id,
    nonce: scan.nonce,
    scanned_at: scan.scanned_at,
  };
  if (scan.offline) {
    body.offline = true;
    body.client_verdict = scan.client_verdict;
    if (scan.sync_stamp) body.sync_stamp = scan.sync_stamp;
  }
  return body;
}

// ---------------------------------------------------------------- deciding without the network

/** The verdict this phone gives alone: signature, activity, revocation list, day, and the admissions it knows
 * (the last sync's and its own scans since). */
async function decideOffline(text, scannedAt) {
  const data = await store.loadSync(CHECKPOINT);
  const token = parseToken(text);
  if (!token) {
    // a typed short code carries no signature: it cannot be checked without the server
    if (normaliseCode(text)) return { verdict: "unchecked", admitted: false, message: T.typedOffline };
    return { verdict: "unknown", admitted: false, message: T.messages.unknown };
  }
  if (!data) return { verdict: "unknown", admitted: false, message: T.neverSynced, ticketId: token.ticketId };
  const point = data.checkpoint;
  if (!(await verifyToken(token, data.keys))) return { verdict: "unknown", admitted: false, message: T.messages.unknown };
  const ticketId = token.ticketId;
  if (token.activityId !== point.activity_id) {
    return { verdict: "other_activity", admitted: false, message: T.messages.other_activity, ticketId };
  }
  if (point.cancelled) {
    return { verdict: "activity_cancelled", admitted: false, message: T.messages.activity_cancelled, ticketId };
  }
  if ((data.revoked || []).includes(ticketId)) {
    return { verdict: "revoked", admitted: false, message: T.messages.revoked, ticketId };
  }
  if (point.expires_at && scannedAt.getTime() > Date.parse(point.expires_at)) {
    return { verdict: "expired", admitted: false, message: T.messages.expired, ticketId };
  }
  const today = localDay(scannedAt);
  if (Array.isArray(point.days) && point.days.length && !point.days.includes(today)) {
    const message = fill(T.messages.other_day, { days: dayList(point.days) });
    return { verdict: "other_day", admitted: false, message, ticketId };
  }
  if (point.rule !== "every_time") {
    const counts = (when) => point.rule === "once" || localDay(when) === today;
    const earlier = [];
    for (const a of data.admitted || []) {
      if (a.ticket_id === ticketId) earlier.push({ at: new Date(a.scanned_at), where: a.checkpoint || point.name });
    }
    for (const s of await store.scansOf(CHECKPOINT, ticketId)) {
      if (s.admitted && !s.undone) earlier.push({ at: new Date(s.scanned_at), where: point.name });
    }
    const first = earlier.filter((e) => counts(e.at)).sort((a, b) => a.at - b.at)[0];
    if (first) {
      return {
        verdict: "already_checked_in",
        admitted: false,
        message: fill(T.messages.already_checked_in, { time: localTime(first.at), checkpoint: first.where }),
        ticketId,
      };
    }
  }
  return { verdict: "admitted", admitted: true, message: T.messages.admitted, ticketId };
}

// ---------------------------------------------------------------- one scan

let busy = false;
const waiting = []; // scans that came while one was being checked (a wedge scanner can be that fast)

async function handle(text, source) {
  // only line ends are dropped: a space is one of base45's characters and may end a token
  text = String(text || "").replace(/^[\r\n\t]+|[\r\n\t]+$/g, "");
  if (!text.trim()) return;
  // a typed code goes up as printed ("7 2ypc", "7–2YPC" are "7-2YPC"), as the server would read it anyway
  if (!parseToken(text)) text = normaliseCode(text) || text;
  if (busy) {
    waiting.push([text, source]);
    return;
  }
  busy = true;
  showBusy();
  const scan = {
    nonce: uuid(),
    token: text,
    checkpoint_id: CHECKPOINT,
    device_id: DEVICE,
    scanned_at: serverNow().toISOString(),
    source,
  };
  try {
    let result = null;
    try {
      const response = await post(URLS.scan, requestBody(scan));
      if (response.status < 500) {
        setOnline(true);
        const body = await response.json().catch(() => ({}));
        if (signedOut(response, body)) {
          // judged here and queued, as without network: the gate keeps moving while someone signs in again
        } else if (response.ok && body.scan) {
          result = { ...body.scan, offline: false };
          await store.putScan({
            ...scan,
            pending: 0,
            offline: false,
            server_id: body.scan.id,
            verdict: body.scan.verdict,
            admitted: body.scan.admitted,
            ticket_id: body.scan.ticket_id,
          });
        } else {
          const message = (body.error && body.error.message) || T.refusedRequest;
          const verdict = response.status === 422 ? "unknown" : "forbidden"; // a malformed code, or not allowed here
          result = { verdict, admitted: false, message, offline: false };
        }
      }
    } catch (_) {
      setOnline(false);
    }
    if (!result) {
      const decided = await decideOffline(text, new Date(scan.scanned_at));
      result = { ...decided, offline: true };
      const queue = decided.verdict !== "unchecked"; // a typed code nobody could check let nobody in
      await store.putScan({
        ...scan,
        offline: true,
        sync_stamp: syncStamp,
        pending: queue ? 1 : 0,
        client_verdict: decided.verdict,
        verdict: decided.verdict,
        admitted: decided.admitted,
        ticket_id: decided.ticketId ?? null,
      });
      await refreshPending();
    }
    showVerdict(result);
    remember(scan, result);
    // a typed code is entered below the camera: bring the verdict up to where the eyes are
    if (source === "typed") ui.verdict.scrollIntoView({ block: "nearest" });
  } finally {
    busy = false;
    if (source !== "camera" && document.activeElement !== ui.code && finePointer()) ui.code.focus();
    if (waiting.length) handle(...waiting.shift());
  }
}

const finePointer = () => window.matchMedia && window.matchMedia("(pointer: fine)").matches;

// ---------------------------------------------------------------- typed code and keyboard wedge

ui.form.addEventListener("submit", (event) => {
  event.preventDefault();
  const value = ui.code.value;
  ui.code.value = "";
  handle(value, wedge.fast ? "wedge" : "typed");
  wedge.reset();
});

// A wedge scanner "types" a whole code in a burst and presses Enter. Inside the code field the form's submit does
// the work; anywhere else on the page (focus on a button, on nothing) the burst is caught here, so a scan is never
// lost and its Enter does not press the focused button.
const wedge = {
  buffer: "",
  last: 0,
  gaps: [],
  get fast() {
    return this.gaps.length >= 6 && this.gaps.reduce((a, b) => a + b, 0) / this.gaps.length < WEDGE_GAP;
  },
  reset() {
    this.buffer = "";
    this.gaps = [];
    this.last = 0;
  },
};

document.addEventListener(
  "keydown",
  (event) => {
    const now = performance.now();
    if (wedge.last && now - wedge.last > 300) wedge.reset();
    if (event.key === "Enter") {
      if (event.target !== ui.code && wedge.fast && wedge.buffer) {
        event.preventDefault();
        event.stopPropagation();
        const value = wedge.buffer;
        wedge.reset();
        handle(value, "wedge");
      }
      return;
    }
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
    if (wedge.last) wedge.gaps.push(now - wedge.last);
    wedge.last = now;
    if (event.target !== ui.code) wedge.buffer += event.key;
  },
  { capture: true },
);

// ---------------------------------------------------------------- camera

let camera = null; // the QrScanner instance
const seen = new Map(); // code -> last time the camera saw it

function onCameraCode(result) {
  const text = typeof result === "string" ? result : result.data;
  const now = Date.now();
  const last = seen.get(text);
  seen.set(text, now);
  if (last && now - last < SAME_CODE_PAUSE) return; // still the same card in front of the lens
  handle(text, "camera");
}

async function startCamera() {
  ui.cameraButton.disabled = true;
  try {
    if (!camera) {
      const { default: QrScanner } = await import(URLS.qr);
      camera = new QrScanner(ui.video, onCameraCode, {
        returnDetailedScanResult: true,
        preferredCamera: "environment",
        maxScansPerSecond: 10,
        highlightScanRegion: false,
      });
    }
    seen.clear();
    await camera.start();
    root.dataset.camera = "on";
    rememberCamera("on");
    ui.cameraButton.textContent = T.stopCamera;
    ui.cameraButton.setAttribute("aria-pressed", "true");
    ui.cameraState.textContent = T.cameraOn;
  } catch (error) {
    root.dataset.camera = "error";
    ui.cameraState.textContent = T.cameraError;
  } finally {
    ui.cameraButton.disabled = false;
  }
}

function stopCamera() {
  if (camera) camera.stop();
  root.dataset.camera = "off";
  rememberCamera("off");
  ui.cameraButton.textContent = T.startCamera;
  ui.cameraButton.setAttribute("aria-pressed", "false");
  ui.cameraState.textContent = T.cameraOff;
}

// the camera comes back on by itself when the page is opened again (a reload, a phone woken up)
const CAMERA_KEY = "dxday.checkin.camera";
function rememberCamera(state) {
  try {
    localStorage.setItem(CAMERA_KEY, state);
  } catch (_) {
    // private mode: the volunteer taps the button again
  }
}

function cameraWasOn() {
  try {
    return localStorage.getItem(CAMERA_KEY) === "on";
  } catch (_) {
    return false;
  }
}

ui.cameraButton.addEventListener("click", () => (root.dataset.camera === "on" ? stopCamera() : startCamera()));

// ---------------------------------------------------------------- start

window.addEventListener("online", () => {
  setOnline(true);
  upload().then(sync);
});
window.addEventListener("offline", () => setOnline(false));
setInterval(() => upload(), RETRY_EVERY);
setInterval(() => sync(), SYNC_EVERY);

// the page opens again without network once it has been opened with it (see scanner-sw.js)
if ("serviceWorker" in navigator && root.dataset.serviceWorker) {
  navigator.serviceWorker.register(root.dataset.serviceWorker, { scope: root.dataset.serviceWorkerScope }).catch(() => {});
}

setOnline(online);
ready();
store.prune(Date.now() - KEEP_SCANS).catch(() => {});
showSynced()
  .then(refreshPending)
  .then(sync)
  .then(upload)
  .finally(() => {
    root.dataset.ready = "true";
  });
if (finePointer()) ui.code.focus();
if (cameraWasOn()) startCamera();

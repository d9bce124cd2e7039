// What the scanner keeps on the phone, in IndexedDB, so that it can decide and remember scans without the
// network: the last sync answer of each checkpoint (keys, revoked tickets, admissions), and every scan this device
// made (keyed by its nonce), with the ones not yet sent to the server marked pending.

const DB_NAME = "dxday-checkin";
const DB_VERSION = 1;

let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("sync")) db.createObjectStore("sync", { keyPath: "checkpoint_id" });
        if (!db.objectStoreNames.contains("scans")) {
          const scans = db.createObjectStore("scans", { keyPath: "nonce" });
          scans.createIndex("pending", "pending");
          scans.createIndex("checkpoint_ticket", ["checkpoint_id", "ticket_id"]);
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function store(name, mode) {
  const db = await open();
  return db.transaction(name, mode).objectStore(name);
}

export async function saveSync(checkpointId, data) {
  const s = await store("sync", "readwrite");
  return done(s.put({ ...data, checkpoint_id: checkpointId, synced_at: new Date().toISOString() }));
}

export async function loadSync(checkpointId) {
  const s = await store("sync", "readonly");
  return (await done(s.get(checkpointId))) || null;
}

export async function putScan(scan) {
  const s = await store("scans", "readwrite");
  return done(s.put(scan));
}

export async function getScan(nonce) {
  const s = await store("scans", "readonly");
  return (await done(s.get(nonce))) || null;
}

/** This device's scans of one ticket at one checkpoint. */
export async function scansOf(checkpointId, ticketId) {
  const s = await store("scans", "readonly");
  return done(s.index("checkpoint_ticket").getAll([checkpointId, ticketId]));
}

/** Scans waiting to be sent (pending = 1), oldest first. */
export async function pendingScans() {
  const s = await store("scans", "readonly");
  const rows = await done(s.index("pending").getAll(1));
  return rows.sort((a, b) => (a.scanned_at < b.scanned_at ? -1 : 1));
}

/** Forget the scans already sent that are older than ``before`` (ms since the epoch); unsent ones stay. */
export async function prune(before) {
  const s = await store("scans", "readwrite");
  const cutoff = new Date(before).toISOString();
  return new Promise((resolve, reject) => {
    const request = s.openCursor();
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor) return resolve();
      const scan = cursor.value;
      if (!scan.pending && scan.scanned_at < cutoff) cursor.delete();
      cursor.continue();
    };
    request.onerror = () => reject(request.error);
  });
}

// The scanner's service worker (scope /checkin/): a scanner page opened once opens again when the network is
// gone (a phone that reloads the tab, a browser that was closed), with its scripts, the QR decoder and the styles.
// Pages come from the network first (4 s at most) and from the cache after; the JSON API is never touched here:
// the page itself decides what to do when a scan cannot be sent.

const CACHE = "dxday-scanner-v3";
const SCANNER_PAGE = /\/checkin\/checkpoints\/\d+\/scan$/;
const ASSETS = [
  "/static/css/app.css",
  "/static/js/app.js",
  "/static/js/scanner.js",
  "/static/js/checkin/base45.js",
  "/static/js/checkin/code.js",
  "/static/js/checkin/store.js",
  "/static/js/checkin/token.js",
  "/static/vendor/qr-scanner/qr-scanner.min.js",
  "/static/vendor/qr-scanner/qr-scanner-worker.min.js",
  "/static/vendor/noble-ed25519/index.js",
  "/static/img/logo.svg",
  "/static/img/favicon.svg",
];
const TIMEOUT = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => Promise.all(ASSETS.map((path) => cache.add(path).catch(() => undefined))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("dxday-scanner-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(keepOpenPages)
      .then(() => self.clients.claim()),
  );
});

// The page that registered the worker was loaded before the worker existed, so no fetch of it passed here: keep
// a copy of every scanner page open now, before taking control, so that its very next reload works offline.
async function keepOpenPages() {
  const cache = await caches.open(CACHE);
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const pages = windows.map((client) => new URL(client.url)).filter((url) => SCANNER_PAGE.test(url.pathname));
  await Promise.all(
    pages.map(async (url) => {
      try {
        const response = await fetch(url.href, { credentials: "same-origin" });
        if (response.ok && !response.redirected) await cache.put(url.href, response);
      } catch (_) {
        // offline already: the next visit with the network keeps it
      }
    }),
  );
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timeout")), TIMEOUT);
      fetch(request).then(
        (r) => { clearTimeout(timer); resolve(r); },
        (e) => { clearTimeout(timer); reject(e); },
      );
    });
    // only whole answers are kept: not a redirect to the sign-in page, not an error page
    if (response.ok && response.type === "basic" && !response.redirected) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreSearch: true });
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const page = request.mode === "navigate" && SCANNER_PAGE.test(url.pathname);
  if (page || url.pathname.startsWith("/static/")) event.respondWith(networkFirst(request));
});

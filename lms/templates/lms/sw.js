// Komek's service worker (served at /sw.js by lms.pwa.service_worker, scope "/").
// Pages: network first, then the copy of a page already visited or downloaded for offline, marked
// so the page shows its "offline" banner; a page never visited gets the offline page. Static
// files: from the cache, refreshed in the background. Videos downloaded for offline answer Range
// requests from the cache. Nothing but GET is ever stored: POSTs (answers, progress) go to the
// network, and the pages queue them (offline-queue.js) when it is not there.
"use strict";
const CONFIG = {{ config|safe }};
importScripts(CONFIG.queueScript);

const SHELL = "komek-shell-" + CONFIG.version;
const STATIC = "komek-static";
const PAGES = "komek-pages";
const NEVER = CONFIG.neverCached.map((pattern) => new RegExp(pattern));
const ANY = { ignoreVary: true };

self.addEventListener("install", (event) => {
  const urls = [...CONFIG.shell, ...Object.values(CONFIG.offlinePages)];
  event.waitUntil(
    caches.open(SHELL)
      .then((cache) => cache.addAll(urls.map((url) => new Request(url, { credentials: "same-origin" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  // A deploy brings a new version: the old shell goes, downloaded courses and visited pages stay.
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("komek-shell-") && name !== SHELL)
          .map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

function isNeverCached(url) {
  return NEVER.some((pattern) => pattern.test(url.pathname));
}

function offlinePageFor(url) {
  const language = url.pathname.split("/")[1];
  return CONFIG.offlinePages[language] || CONFIG.offlinePages[CONFIG.defaultLanguage];
}

// A stored page served offline says so: the page shows its banner when it sees the attribute.
async function markedOffline(response) {
  const html = await response.text();
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  return new Response(html.replace("<body ", "<body data-offline-copy "), {
    status: 200,
    headers,
  });
}

function mayStore(response) {
  const control = response.headers.get("Cache-Control") || "";
  return response.status === 200 && !response.redirected && response.type === "basic" &&
    !/no-store/.test(control);
}

async function page(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    if (mayStore(response)) {
      const copy = response.clone();
      event.waitUntil(caches.open(PAGES).then((cache) => cache.put(request.url, copy)));
    }
    return response;
  } catch (error) {
    const stored = await caches.match(request.url, ANY);
    if (stored) return markedOffline(stored);
    const fallback = await caches.match(offlinePageFor(new URL(request.url)), ANY);
    if (fallback) return markedOffline(fallback);
    return Response.error();
  }
}

async function staticFile(event) {
  const request = event.request;
  const stored = await caches.match(request, ANY);
  const fresh = fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(STATIC).then((cache) => cache.put(request, copy));
    }
    return response;
  });
  if (stored) {
    event.waitUntil(fresh.catch(() => null));
    return stored;
  }
  return fresh;
}

// An upload at the object storage's address is signed anew on every page; its offline copy is
// kept and found under the address without the signature (the query string).
function storageKey(url) {
  return url.origin + url.pathname;
}

// A media element asks for byte ranges; the cache holds whole files (Range requests, RFC 9110).
async function range(request, key = request.url) {
  const stored = await caches.match(key, ANY);
  if (!stored) return fetch(request);
  const blob = await stored.blob();
  const size = blob.size;
  const match = /bytes=(\d*)-(\d*)/.exec(request.headers.get("range") || "");
  let start = match && match[1] ? parseInt(match[1], 10) : 0;
  let end = match && match[2] ? parseInt(match[2], 10) : size - 1;
  if (match && !match[1] && match[2]) {  // "bytes=-500": the last 500 bytes
    start = Math.max(0, size - parseInt(match[2], 10));
    end = size - 1;
  }
  end = Math.min(end, size - 1);
  if (start >= size || start > end) {
    return new Response(null, { status: 416, headers: { "Content-Range": "bytes */" + size } });
  }
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    headers: {
      "Content-Type": stored.headers.get("Content-Type") || "video/mp4",
      "Content-Range": "bytes " + start + "-" + end + "/" + size,
      "Content-Length": String(end - start + 1),
      "Accept-Ranges": "bytes",
    },
  });
}

async function networkThenStored(request, key = request.url) {
  try {
    return await fetch(request);
  } catch (error) {
    const stored = await caches.match(key, ANY);
    return stored || Response.error();
  }
}

// Downloaded uploads answer from the copy whether or not the network is there: the copy is the
// same file, and a signed address in a page stored days ago has expired at the storage.
async function storageFile(request, key) {
  if (request.headers.has("range")) return range(request, key);
  const stored = await caches.match(key, ANY);
  return stored || networkThenStored(request, key);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (CONFIG.storageOrigin && url.origin === CONFIG.storageOrigin) {
    event.respondWith(storageFile(request, storageKey(url)));
    return;
  }
  if (url.origin !== self.location.origin || isNeverCached(url)) return;
  if (request.headers.has("range")) event.respondWith(range(request));
  else if (request.mode === "navigate") event.respondWith(page(event));
  else if (url.pathname.startsWith(CONFIG.staticUrl)) event.respondWith(staticFile(event));
  else event.respondWith(networkThenStored(request));
});

// Background Sync, where the browser has it: the queue goes out when the connection returns,
// even with no Komek page open. Pages flush it too (on load and on "online").
self.addEventListener("sync", (event) => {
  if (event.tag === KomekQueue.SYNC_TAG) event.waitUntil(KomekQueue.flush());
});

self.addEventListener("message", (event) => {
  if (event.data === "flush") event.waitUntil(KomekQueue.flush());
});

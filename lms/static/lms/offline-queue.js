// The queue of learner actions taken offline (a video report, a knowledge check, "mark done", a
// quiz submission), kept in IndexedDB and sent once the connection returns. Each action carries
// an id made when it was taken (crypto.randomUUID); the server applies an id once and answers a
// repeated send with the first result (courses/offline.py), so sending twice is harmless.
// Runs in pages and in the service worker (importScripts), which flushes it on Background Sync.
(function (scope) {
  "use strict";
  const DB_NAME = "komek";
  const SYNC_TAG = "komek-queue";
  let opening = null;

  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore("queue", { keyPath: "id" });
          db.createObjectStore("results", { keyPath: "id" });
          db.createObjectStore("meta");
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return opening;
  }

  function run(storeName, mode, work) {
    return open().then((db) => new Promise((resolve, reject) => {
      const transaction = db.transaction(storeName, mode);
      const store = transaction.objectStore(storeName);
      const request = work(store);
      transaction.oncomplete = () => resolve(request ? request.result : undefined);
      transaction.onerror = () => reject(transaction.error);
    }));
  }

  const all = (name) => run(name, "readonly", (store) => store.getAll());
  const put = (name, value, key) => run(name, "readwrite", (store) => store.put(value, key));
  const remove = (name, key) => run(name, "readwrite", (store) => store.delete(key));
  const getMeta = (key) => run("meta", "readonly", (store) => store.get(key));

  function cookieToken() {
    if (typeof document === "undefined") return null;
    return (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || null;
  }

  // item: { url, kind, label, json } for a JSON body, or { url, kind, label, fields: [[k, v]…] }.
  function add(item) {
    return getMeta("user").then((user) => {
      const entry = Object.assign({}, item, {
        id: item.id || crypto.randomUUID(),
        user: user || "",
        csrf: item.csrf || cookieToken(),
        created: Date.now(),
      });
      return put("queue", entry).then(() => {
        if (scope.navigator && scope.navigator.serviceWorker && scope.navigator.onLine === false) {
          scope.navigator.serviceWorker.ready
            .then((registration) => registration.sync && registration.sync.register(SYNC_TAG))
            .catch(() => {});
        }
        return entry;
      });
    });
  }

  function request(entry) {
    const headers = { Accept: "application/json", "X-CSRFToken": cookieToken() || entry.csrf };
    let body;
    if (entry.json) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(Object.assign({}, entry.json, { action_id: entry.id }));
    } else {
      const params = new URLSearchParams();
      (entry.fields || []).forEach(([key, value]) => {
        if (key !== "csrfmiddlewaretoken") params.append(key, value);
      });
      params.set("action_id", entry.id);
      body = params;
    }
    // A redirect (to the login page, or to the course for someone not enrolled) is not an answer:
    // the action stays queued for when the learner is signed in again.
    return fetch(entry.url, { method: "POST", credentials: "same-origin", redirect: "manual", headers, body });
  }

  let flushing = null;

  // Sends what this learner queued, oldest first; stops at the first network failure. A refusal
  // (4xx other than a stale CSRF token) is final: the server changed nothing and never will.
  function flush() {
    if (flushing) return flushing;
    flushing = Promise.all([all("queue"), getMeta("user")])
      .then(async ([entries, user]) => {
        const sent = [];
        entries.sort((a, b) => a.created - b.created);
        for (const entry of entries) {
          if (!user || entry.user !== user) continue;
          let response;
          try {
            response = await request(entry);
          } catch (error) {
            break;
          }
          if (response.type === "opaqueredirect" || response.status >= 500 || response.status === 403) break;
          const body = await response.json().catch(() => ({}));
          await remove("queue", entry.id);
          const outcome = { id: entry.id, kind: entry.kind, url: entry.url, label: entry.label || "", status: response.status, body, user };
          if (entry.kind === "quiz_submit") await put("results", outcome);
          sent.push(outcome);
        }
        return sent;
      })
      .finally(() => { flushing = null; });
    return flushing.then((sent) => {
      if (sent.length && typeof scope.dispatchEvent === "function" && typeof CustomEvent !== "undefined") {
        scope.dispatchEvent(new CustomEvent("komek:sent", { detail: sent }));
      }
      return sent;
    });
  }

  scope.KomekQueue = {
    SYNC_TAG,
    add,
    flush,
    pending: () => Promise.all([all("queue"), getMeta("user")])
      .then(([entries, user]) => entries.filter((entry) => entry.user === user)),
    results: () => Promise.all([all("results"), getMeta("user")])
      .then(([entries, user]) => entries.filter((entry) => entry.user === user)),
    forgetResult: (id) => remove("results", id),
    setUser: (user) => put("meta", user, "user"),
  };
})(self);

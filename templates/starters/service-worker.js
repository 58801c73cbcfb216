// The service worker of the volunteers' app (scope /mein-bereich/), rendered by
// starters.views.app.service_worker. It keeps the app's shell (styles, scripts, icons,
// the offline page) and the meeting-log forms the phone opened, so a meeting can be
// logged without network; static/js/offline-log.js keeps what is typed and sends it
// later. Every other page of the area holds personal data and is never stored here.
// Version {{ version }}
const SHELL = "shell-{{ version }}";
const FORMS = {{ forms_cache|safe }};
const OFFLINE_URL = {{ offline_url|safe }};
const ASSETS = {{ assets|safe }};
const SCOPE = {{ scope|safe }};
const FORM_PATH = /\/angebote\/\d+\/treffen\/neu\/$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll([OFFLINE_URL, ...ASSETS]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("shell-") && key !== SHELL)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

const isForm = (url) => url.pathname.startsWith(SCOPE) && FORM_PATH.test(url.pathname);

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(
      caches.match(url.pathname, { cacheName: SHELL }).then((hit) => hit || fetch(request)),
    );
    return;
  }
  if (request.mode !== "navigate") return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        // A form opened with network is kept fresh for the next time without.
        if (isForm(url) && response.ok && !response.redirected) {
          const copy = response.clone();
          event.waitUntil(caches.open(FORMS).then((cache) => cache.put(url.pathname, copy)));
        }
        return response;
      })
      .catch(async () => {
        const form = isForm(url)
          ? await caches.match(url.pathname, { cacheName: FORMS, ignoreVary: true })
          : undefined;
        return form || caches.match(OFFLINE_URL, { cacheName: SHELL, ignoreVary: true });
      }),
  );
});

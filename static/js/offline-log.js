// The volunteers' app: registers the service worker of /mein-bereich/, keeps a meeting
// log typed without network on the phone and sends it when the network is back.
//
// Kept logs live in localStorage, each with the key of the user who typed it: only
// while the server says that same user is logged in is it sent (with a fresh CSRF
// token from the same address), so a log is never sent as someone else. The server
// applies the meeting-log form's rules: a refusal (e.g. a day already logged) stays on
// the phone with the server's message until the volunteer corrects or discards it.
// Texts come from data attributes (translated in the template).
const QUEUE_KEY = "meeting-log-queue";
const OWNER_KEY = "meeting-log-owner";
const FORMS_KEY = "meeting-log-forms";
const FORMS_CACHE = "meeting-log-forms"; // as starters.views.app.FORMS_CACHE

const panel = document.querySelector("[data-offline-log]");

const readJson = (key, fallback) => {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
};
const queue = () => readJson(QUEUE_KEY, []);
const store = (entries) => localStorage.setItem(QUEUE_KEY, JSON.stringify(entries));
const update = (id, change) => store(queue().map((entry) => (entry.id === id ? { ...entry, ...change } : entry)));
const remove = (id) => store(queue().filter((entry) => entry.id !== id));
const newId = () =>
  self.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(16).slice(2)}`;
const fill = (text, values) =>
  Object.entries(values).reduce((result, [key, value]) => result.replace(`{${key}}`, value), text);
const germanDate = (iso) => (iso || "").split("-").reverse().join(".");

if (panel) {
  const texts = panel.dataset;
  const list = panel.querySelector("[data-offline-log-list]");
  const status = panel.querySelector("[data-offline-log-status]");
  const form = document.querySelector("form[data-offline-log-form]");
  const kept = document.querySelector("[data-offline-log-kept]");
  // A cached page (opened without network) speaks for the user who last had network.
  const owner = texts.owner || localStorage.getItem(OWNER_KEY) || "";
  const mine = () => queue().filter((entry) => entry.owner === owner);
  let sending = false;

  const render = () => {
    const entries = mine();
    panel.hidden = entries.length === 0 && !status.textContent;
    // "Kept, will be sent" only while a kept log still waits to be sent.
    if (form?.hidden) kept.hidden = !entries.some((entry) => !entry.error);
    list.replaceChildren(
      ...entries.map((entry) => {
        const item = document.createElement("li");
        item.className = "mb-2";
        item.dataset.entry = entry.id;
        const title = document.createElement("div");
        title.className = "fw-semibold";
        title.textContent = fill(texts.textEntry, { date: germanDate(entry.heldOn), group: entry.group });
        const state = document.createElement("div");
        state.className = entry.error ? "text-danger small" : "text-body-secondary small";
        state.textContent = entry.error ? `${texts.textRefused}: ${entry.error}` : texts.textWaiting;
        const actions = document.createElement("div");
        actions.className = "d-flex flex-wrap gap-2 mt-1";
        if (entry.error) {
          const open = document.createElement("a");
          open.className = "btn btn-sm btn-outline-primary";
          open.href = `${entry.formUrl}?kept=${encodeURIComponent(entry.id)}`;
          open.textContent = texts.textOpen;
          actions.append(open);
        }
        const discard = document.createElement("button");
        discard.type = "button";
        discard.className = "btn btn-sm btn-outline-danger";
        discard.textContent = texts.textDiscard;
        discard.addEventListener("click", () => {
          if (window.confirm(texts.textConfirmDiscard)) {
            remove(entry.id);
            render();
          }
        });
        actions.append(discard);
        item.append(title, state, actions);
        return item;
      }),
    );
  };

  const isJson = (response) =>
    (response.headers.get("Content-Type") || "").startsWith("application/json");

  // One kept log: "sent", "refused", "later" (no network, server trouble) or "login".
  const send = async (entry) => {
    try {
      const headers = { Accept: "application/json" };
      const state = await fetch(entry.syncUrl, { headers, credentials: "same-origin" });
      if (!isJson(state)) return "login"; // logged out: the login page answered
      const session = await state.json();
      if (!state.ok) {
        update(entry.id, { error: session.message });
        return "refused";
      }
      if (session.owner !== entry.owner) return "login"; // someone else is logged in
      const answer = await fetch(entry.syncUrl, {
        method: "POST",
        body: new URLSearchParams(entry.fields),
        headers: { ...headers, "X-CSRFToken": session.csrf_token },
        credentials: "same-origin",
      });
      if (!isJson(answer) || answer.status >= 500) return "later";
      const result = await answer.json();
      if (answer.ok) {
        remove(entry.id);
        return result;
      }
      update(entry.id, { error: result.message });
      return "refused";
    } catch {
      return "later";
    }
  };

  const sendKept = async () => {
    if (sending || !navigator.onLine) return;
    sending = true;
    let sent = null;
    try {
      for (const entry of mine().filter((item) => !item.error)) {
        const result = await send(entry);
        if (result === "later") break;
        if (result === "login") {
          status.textContent = texts.textLogin;
          break;
        }
        if (typeof result === "object") {
          sent = result;
          status.textContent = `${texts.textSent}: ${result.message}`;
        }
      }
    } finally {
      sending = false;
      render();
    }
    // The log now shows in the accompaniment's list; a form being typed stays.
    if (sent && !(form && !form.hidden)) {
      if (form) window.location.assign(sent.url);
      else window.location.reload();
    }
  };

  // Without network, a submitted log is kept on the phone instead of being lost.
  if (form) {
    const reopened = new URLSearchParams(window.location.search).get("kept");
    const entry = reopened && mine().find((item) => item.id === reopened);
    if (entry) {
      form.querySelectorAll("input[type=checkbox]").forEach((box) => {
        box.checked = false;
      });
      entry.fields.forEach(([name, value]) => {
        const field = form.elements.namedItem(name);
        if (!field) return;
        const boxes = [...form.querySelectorAll(`input[type=checkbox][name="${name}"]`)];
        const box = boxes.find((item) => item.value === value);
        if (box) box.checked = true;
        else if (!boxes.length) field.value = value;
      });
      form.dataset.replaces = entry.id;
      kept.classList.replace("alert-info", "alert-danger");
      kept.textContent = `${texts.textRefused}: ${entry.error}`;
      kept.hidden = false;
    }
    form.addEventListener("submit", (event) => {
      const replaces = form.dataset.replaces;
      if (navigator.onLine) {
        if (replaces) remove(replaces); // the page that answers shows any refusal
        return;
      }
      event.preventDefault();
      const fields = [...new FormData(form)].filter(([name]) => name !== "csrfmiddlewaretoken");
      store([
        ...queue().filter((item) => item.id !== replaces),
        {
          id: newId(),
          owner,
          formUrl: window.location.pathname,
          syncUrl: form.dataset.syncUrl,
          group: form.dataset.group,
          heldOn: form.elements.namedItem("held_on")?.value || "",
          fields,
          keptAt: new Date().toISOString(),
          error: "",
        },
      ]);
      form.hidden = true;
      kept.classList.replace("alert-danger", "alert-info");
      kept.textContent = texts.textKept;
      kept.hidden = false;
      kept.focus();
      render();
    });
  }

  // Starting online: remember who is logged in, and forget another user's forms.
  const keepForms = async () => {
    if (!("caches" in window)) return;
    if (texts.owner && localStorage.getItem(OWNER_KEY) !== texts.owner) {
      await caches.delete(FORMS_CACHE);
      localStorage.removeItem(FORMS_KEY);
      localStorage.setItem(OWNER_KEY, texts.owner);
    }
    if (!("formsIndex" in texts) || !navigator.onLine) return;
    // The home page lists the forms of every running accompaniment: keep just those.
    const links = [...document.querySelectorAll("a[data-offline-form]")];
    const paths = links.map((link) => new URL(link.href).pathname);
    const cache = await caches.open(FORMS_CACHE);
    for (const request of await cache.keys()) {
      if (!paths.includes(new URL(request.url).pathname)) await cache.delete(request);
    }
    await Promise.all(paths.map((path) => cache.add(path).catch(() => undefined)));
    localStorage.setItem(
      FORMS_KEY,
      JSON.stringify(links.map((link, index) => ({ url: paths[index], label: link.dataset.offlineForm }))),
    );
  };

  // The offline page lists the forms this phone keeps.
  const offlineForms = document.querySelector("[data-offline-forms]");
  if (offlineForms) {
    offlineForms.replaceChildren(
      ...readJson(FORMS_KEY, []).map(({ url, label }) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = url;
        link.textContent = label;
        item.append(link);
        return item;
      }),
    );
    offlineForms.closest("section").hidden = offlineForms.children.length === 0;
  }

  // Logging out forgets the kept forms (they name the groups); kept logs stay for
  // their owner, who sends them at the next login.
  document.querySelectorAll(`form[action="${texts.logout}"]`).forEach((logout) => {
    logout.addEventListener("submit", (event) => {
      if (!("caches" in window) || logout.dataset.cleared) return;
      event.preventDefault();
      localStorage.removeItem(FORMS_KEY);
      caches.delete(FORMS_CACHE).finally(() => {
        logout.dataset.cleared = "1";
        logout.requestSubmit();
      });
    });
  });

  const ready = async () => {
    if ("serviceWorker" in navigator) {
      try {
        await navigator.serviceWorker.register(texts.serviceWorker, { scope: texts.scope });
        await navigator.serviceWorker.ready;
      } catch {
        // Without a service worker the area still works with network.
      }
    }
    await keepForms().catch(() => undefined);
    panel.dataset.ready = "1";
  };

  window.addEventListener("online", sendKept);
  render();
  ready();
  sendKept();
}

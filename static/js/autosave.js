/* Autosave for form[data-autosave]: each change goes into a queue in localStorage (the
   form's address, its fields and a key; nothing about the person) and is posted in order
   until the server acknowledges it. Without JavaScript the forms post normally. */
(() => {
  "use strict";
  const QUEUE = "tandem.autosave.queue", ACKS = "tandem.autosave.acks";
  const forms = Array.from(document.querySelectorAll("form[data-autosave]"));
  const memory = {}, last = new Map(), timers = new Map(), waiting = new Map();
  let busy = false, backoff = 0, retry = 0, signedOut = false, memoryOnly = false;

  // When localStorage is refused (private mode, full), the queue lives on in memory.
  const load = (name, empty) => {
    if (!memoryOnly) try { memory[name] = JSON.parse(localStorage.getItem(name)); } catch (e) { memoryOnly = true; }
    return memory[name] || empty;
  };
  const store = (name, value) => {
    memory[name] = value;
    if (!memoryOnly) try { localStorage.setItem(name, JSON.stringify(value)); } catch (e) { memoryOnly = true; }
  };
  const newKey = () => (crypto.randomUUID ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""));
  const urlOf = (form) => form.getAttribute("action");
  const fieldsOf = (form) => Array.from(new FormData(form)).filter(([n]) => n !== "csrf_token" && n !== "key");
  // What the person wrote, without the revision it started from: decides whether to queue.
  const snapshot = (form) => JSON.stringify(fieldsOf(form).filter(([n]) => n !== "base_revision"));
  const json = { Accept: "application/json" };

  function paint(form, state, text) {
    const status = form.querySelector("[data-save-status]");
    const message = status && (text || status.getAttribute("data-text-" + state));
    if (!message || (status.dataset.state === state && status.textContent === message)) return;
    status.dataset.state = state;  // the paragraph is aria-live: announce changes only
    // The sign-in link goes when the text is saved: its keyboard focus goes back to the text.
    const hadFocus = status.contains(document.activeElement);
    status.textContent = state === "signin" ? "" : message;
    const field = hadFocus && form.querySelector("textarea, input:not([type=hidden]), select");
    if (field) field.focus();
    if (state === "signin") {
      const link = status.appendChild(document.createElement("a"));
      link.href = "/login?next=" + encodeURIComponent(location.pathname);
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = message;
    }
  }
  const show = (url, state, text) => forms.forEach((f) => urlOf(f) === url && paint(f, state, text));
  const showQueued = (state) => load(QUEUE, []).forEach((item) => show(item.url, state));

  function enqueue(form) {
    clearTimeout(timers.get(form));
    const current = snapshot(form);
    if (current === last.get(form)) return;
    last.set(form, current);
    const item = { url: urlOf(form), fields: fieldsOf(form), key: newKey() };
    const queue = load(QUEUE, []), at = queue.findIndex((q) => q.url === item.url);
    if (at >= 0) queue[at] = item; else queue.push(item);  // a newer edit keeps its place in line
    store(QUEUE, queue);
    waiting.set(form, item.key);
    flush();
  }

  function settle(item, result, error) {
    const queue = load(QUEUE, []).filter((q) => q.key !== item.key);
    const base = (item.fields.find(([n]) => n === "base_revision") || [])[1];
    // An edit queued while this one was in flight continues from the revision it made.
    if (result && result.revision) queue.forEach((q) => q.url === item.url && q.fields.forEach((pair) => {
      if (pair[0] === "base_revision" && pair[1] === base) pair[1] = String(result.revision);
    }));
    store(QUEUE, queue);
    const acks = load(ACKS, {});
    delete acks[item.url];
    acks[item.url] = { key: item.key, revision: result && result.revision, replaced: !!(result && result.replaced_newer), error };
    Object.keys(acks).slice(0, -30).forEach((url) => delete acks[url]);
    store(ACKS, acks);
    applyAcks();
  }

  // Also called when another tab sent this tab's edit, or a newer one of its own (storage event).
  function applyAcks() {
    const acks = load(ACKS, {}), queue = load(QUEUE, []);
    forms.forEach((form) => {
      const ack = acks[urlOf(form)], base = form.elements.namedItem("base_revision");
      const mine = waiting.get(form);
      if (ack && mine && ack.key !== mine && !queue.some((q) => q.key === mine)) {
        waiting.delete(form);  // another tab's later edit took this one's place and was saved
        paint(form, "replaced");
      }
      if (!ack || ack.key !== mine) return;
      waiting.delete(form);
      if (base && ack.revision > Number(base.value)) base.value = String(ack.revision);
      paint(form, ack.error ? "error" : ack.replaced ? "replaced" : "saved", ack.error);
    });
  }

  async function refreshToken() {
    try {
      const response = await fetch("/session/token", { headers: json, credentials: "same-origin" });
      if (response.status === 401) return "signin";
      const token = response.ok && (await response.json()).csrf_token;
      if (token) document.querySelectorAll("input[name=csrf_token]").forEach((input) => { input.value = token; });
      return token ? "token" : "error";
    } catch (e) {
      return "error";
    }
  }

  // True once the item is settled: saved, or refused for good (400 with the server's reason).
  async function send(item, renewed) {
    if (!backoff && !signedOut) show(item.url, "saving");  // while retrying, "not saved yet" stays
    const body = new URLSearchParams(item.fields);
    body.set("key", item.key);
    const token = (document.querySelector("input[name=csrf_token]") || {}).value || "";
    let response, data = null;
    try {
      // A redirect (e.g. to the sign-in page) is never taken for a save.
      response = await fetch(item.url, { method: "POST", body, credentials: "same-origin", redirect: "manual",
        keepalive: body.toString().length < 60000, headers: { ...json, "X-CSRFToken": token } });
      if ((response.headers.get("Content-Type") || "").includes("json")) data = await response.json();
    } catch (e) {
      showQueued(navigator.onLine === false ? "offline" : "pending");
      return false;
    }
    // A 4xx with ok:false is a final answer (invalid value, time is up, already submitted):
    // retrying would block every later save in the queue.
    const settled = response.status >= 400 && response.status < 500 && response.status !== 401;
    if (response.ok || (settled && data && data.ok === false)) {
      settle(item, response.ok && data, response.ok ? null : data.error);
      return true;
    }
    if (response.status === 401 || response.status === 400) {  // session ended, or CSRF token stale
      const outcome = await refreshToken();
      signedOut = outcome === "signin";
      if (outcome === "token" && !renewed) return send(item, true);
    }
    showQueued(signedOut ? "signin" : "pending");
    return false;
  }

  async function flush() {
    if (busy) return;
    busy = true;
    clearTimeout(retry);
    try {
      for (let item; (item = load(QUEUE, [])[0]);) {
        if (!(await send(item))) {
          backoff = Math.min(30000, backoff * 2 || 1000);
          retry = setTimeout(flush, signedOut ? 15000 : backoff + Math.random() * 500);
          return;
        }
      }
      backoff = 0;
      signedOut = false;
    } finally {
      busy = false;
    }
  }

  // Back on the page: retry now, and say so if the saved text was changed elsewhere meanwhile.
  async function regain() {
    flush();
    const queued = load(QUEUE, []);
    for (const form of forms) {
      const base = form.elements.namedItem("base_revision");
      if (!base || waiting.has(form) || snapshot(form) !== last.get(form)
          || queued.some((item) => item.url === urlOf(form))) continue;
      try {
        const response = await fetch(urlOf(form), { headers: json, credentials: "same-origin" });
        if (response.ok && (await response.json()).revision > Number(base.value)) paint(form, "replaced");
      } catch (e) { /* offline: nothing to compare with */ }
    }
  }

  const pending = load(QUEUE, []);
  forms.forEach((form) => {
    if (form.hasAttribute("data-opened")) {
      enqueue(form);
      return;
    }
    // An edit not sent during an earlier visit is the latest text: show it, then send it.
    const queued = pending.find((item) => item.url === urlOf(form));
    if (queued) {
      queued.fields.forEach(([name, value]) => {
        const field = form.elements.namedItem(name);
        if (field && name !== "base_revision" && name !== "next") field.value = value;
      });
      waiting.set(form, queued.key);
    }
    last.set(form, snapshot(form));
    form.addEventListener("input", () => {
      clearTimeout(timers.get(form));
      timers.set(form, setTimeout(() => enqueue(form), 800));
    });
    form.addEventListener("change", () => enqueue(form));
  });
  const saveAll = () => forms.forEach((form) => form.hasAttribute("data-opened") || enqueue(form));
  document.addEventListener("visibilitychange", () => (document.hidden ? saveAll() : regain()));
  window.addEventListener("pagehide", saveAll);
  window.addEventListener("online", flush);
  window.addEventListener("focus", regain);
  window.addEventListener("storage", (event) => event.key === ACKS && applyAcks());
  flush();
})();

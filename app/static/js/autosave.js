// Autosave for the tablet pages: no answer is ever lost.
//
// Every change goes into a queue kept in localStorage (per participant, in order) before it
// is sent, so it survives a dropped network, a reload or a crash. iPad Safari has no
// background sync, so the page itself replays the queue: at load, when the network returns,
// and on a timer. Each save carries the version it was based on and an idempotency key: a
// retry returns the stored result, and a save based on an older version comes back as 409
// with the server copy, which the participant merges by choice -- nothing is overwritten.
(function () {
  "use strict";

  var root = document.getElementById("tablet");
  var pid = root && root.getAttribute("data-participant");
  if (!pid) { return; }

  var PREFIX = "tandem." + pid + ".";
  var QKEY = PREFIX + "queue";
  var VKEY = PREFIX + "versions";
  var CKEY = PREFIX + "conflicts";
  var AKEY = PREFIX + "acked";
  var DEBOUNCE_MS = 800;
  var TIMEOUT_MS = 15000;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var statusEl = document.getElementById("save-status");
  var form = document.getElementById("answers");
  var exercise = form ? form.getAttribute("data-exercise") : null;

  var store = window.TandemStore;
  var T = window.TandemText;
  var load = store.load, save = store.save;

  var queue = load(QKEY, []);
  var versions = load(VKEY, {});
  var conflicts = load(CKEY, {});
  var acked = store.acked(AKEY);
  var busy = false;
  var blocked = "";
  var failing = false;
  var delay = 1000;
  var timer = null;
  var debounces = {};

  function persist() { save(QKEY, queue); save(VKEY, versions); save(CKEY, conflicts); }
  function keyOf(ex, prompt) { return ex + "/" + prompt; }
  function newKey() { return store.newKey("k-"); }
  function conflictCount() { return Object.keys(conflicts).length; }
  function unsentCount() { return queue.length + conflictCount(); }

  // ---- the visible state -------------------------------------------------------------------
  function setStatus() {
    if (!statusEl) { return; }
    var state, text, n = queue.length;
    if (conflictCount()) {
      state = "conflict";
      text = T.t("conflict");
    } else if (blocked) {
      state = "error"; text = blocked;
    } else if (n && !navigator.onLine) {
      state = "offline";
      text = T.n("offline", n);
    } else if (n && failing) {
      state = "offline";
      text = T.n("retrying", n);
    } else if (n || busy || Object.keys(debounces).length) {
      state = "saving"; text = T.t("saving");
    } else {
      state = "saved"; text = T.t("saved");
    }
    statusEl.setAttribute("data-state", state);
    statusEl.setAttribute("data-unsent", String(unsentCount()));
    if (statusEl.textContent !== text) { statusEl.textContent = text; }
  }
  function setPromptState(prompt, state, text) {
    if (!form) { return; }
    var box = fieldsetOf(prompt);
    var el = box && box.querySelector(".prompt-state");
    if (el) { el.setAttribute("data-state", state); el.textContent = text; }
  }

  // ---- reading and writing the fields -------------------------------------------------------
  function fieldsetOf(prompt) {
    if (!form) { return null; }
    var sets = form.querySelectorAll("fieldset[data-prompt]");
    for (var i = 0; i < sets.length; i++) {
      if (sets[i].getAttribute("data-prompt") === prompt) { return sets[i]; }
    }
    return null;
  }
  function readField(box) {
    var type = box.getAttribute("data-type");
    if (type === "scale" || type === "single_choice") {
      var on = box.querySelector("input:checked");
      if (!on) { return null; }
      return type === "scale" ? parseInt(on.value, 10) : on.value;
    }
    if (type === "checklist") {
      var out = [], boxes = box.querySelectorAll("input[type=checkbox]");
      for (var i = 0; i < boxes.length; i++) { if (boxes[i].checked) { out.push(boxes[i].value); } }
      return out;
    }
    return box.querySelector("textarea").value;
  }
  function writeField(box, value) {
    var type = box.getAttribute("data-type");
    if (type === "long_text" || type === "short_text" || type === "plan_goal") {
      box.querySelector("textarea").value = value == null ? "" : String(value);
      return;
    }
    var inputs = box.querySelectorAll("input");
    for (var i = 0; i < inputs.length; i++) {
      var v = type === "scale" ? parseInt(inputs[i].value, 10) : inputs[i].value;
      inputs[i].checked = Array.isArray(value) ? value.indexOf(v) >= 0 : v === value;
    }
  }
  function display(value) {
    if (value == null || value === "") { return "(empty)"; }
    if (Array.isArray(value)) { return value.length ? value.join("\n") : "(nothing ticked)"; }
    return String(value);
  }

  // ---- the queue ------------------------------------------------------------------------------
  function enqueue(ex, prompt, value) {
    var k = keyOf(ex, prompt);
    if (conflicts[k]) {
      // Until the participant has chosen, new typing belongs to "this tablet's" side.
      conflicts[k].mine = value;
      persist(); showMerge(k); setStatus();
      return;
    }
    for (var i = queue.length - 1; i >= 0; i--) {
      var e = queue[i];
      if (e.ex === ex && e.prompt === prompt) {
        if (!e.sent) { e.value = value; persist(); setPromptState(prompt, "pending", T.t("waiting")); kick(); return; }
        break;
      }
    }
    queue.push({ key: newKey(), ex: ex, prompt: prompt, value: value, base: null, sent: false });
    persist();
    setPromptState(prompt, "pending", T.t("waiting"));
    kick();
  }
  function removeEntry(entry) {
    var i = queue.indexOf(entry);
    if (i >= 0) { queue.splice(i, 1); }
  }
  function kick() {
    setStatus();
    if (timer) { clearTimeout(timer); timer = null; }
    window.setTimeout(flush, 0);
  }
  function retryLater(ms) {
    if (timer) { clearTimeout(timer); }
    timer = window.setTimeout(function () { timer = null; flush(); }, ms);
  }

  function flush() {
    if (busy || !queue.length) { setStatus(); return; }
    if (!navigator.onLine) { setStatus(); retryLater(5000); return; }
    var entry = queue[0];
    var k = keyOf(entry.ex, entry.prompt);
    if (entry.base == null) { entry.base = versions[k] || 0; }
    entry.sent = true;
    persist();
    busy = true;
    setStatus();
    setPromptState(entry.prompt, "saving", T.t("saving"));
    store.put("/p/api/answers/" + encodeURIComponent(entry.ex) + "/" + encodeURIComponent(entry.prompt),
              { value: entry.value, base_version: entry.base, idempotency_key: entry.key }, csrf, TIMEOUT_MS)
    .then(function (res) {
      busy = false;
      handle(entry, k, res.status, res.body);
    }, function () {
      busy = false;
      failing = true;
      setPromptState(entry.prompt, "pending", T.t("waiting"));
      delay = Math.min(delay * 2, 15000);
      setStatus();
      retryLater(delay);
    });
  }

  function handle(entry, k, status, body) {
    if (status === 200) {
      failing = false; blocked = ""; delay = 1000;
      versions[k] = body.version;
      acked.remember(k, body.version, entry.value);
      removeEntry(entry);
      persist();
      var box = entry.ex === exercise ? fieldsetOf(entry.prompt) : null;
      if (box) { box.setAttribute("data-version", String(body.version)); }
      setPromptState(entry.prompt, "saved", stillQueued(k) ? T.t("waiting") : T.t("prompt_saved"));
      document.body.dispatchEvent(new CustomEvent("tandem:saved"));
      kick();
      return;
    }
    if (status === 409 && body && body.server) {
      failing = false;
      var mine = entry.value;
      removeEntry(entry);
      for (var i = queue.length - 1; i >= 0; i--) {
        if (keyOf(queue[i].ex, queue[i].prompt) === k) { mine = queue[i].value; break; }
      }
      queue = queue.filter(function (e) { return keyOf(e.ex, e.prompt) !== k; });
      conflicts[k] = { ex: entry.ex, prompt: entry.prompt, mine: mine, server: body.server };
      persist();
      showMerge(k);
      kick();
      return;
    }
    if (status === 401 || status === 403 || status === 408 || status === 425 || status === 429 ||
        status >= 500) {
      // Signed out, gated or busy: keep every change on the tablet and try again later.
      failing = true;
      if (status === 401) {
        blocked = T.t("signed_out");
      } else if (status === 403) {
        blocked = (body && body.detail) ? T.t("not_sent_because", { reason: body.detail }) : T.t("not_sent");
      }
      setStatus();
      retryLater(status >= 500 ? Math.min(delay *= 2, 15000) : 30000);
      return;
    }
    // The server refused this value (too long, not an option): keep it on screen, say why.
    removeEntry(entry);
    persist();
    setPromptState(entry.prompt, "error", T.t("not_saved_because", { reason: (body && body.problems && body.problems[0] && body.problems[0].message) || (body && body.detail) || T.t("refused") }));
    kick();
  }
  function stillQueued(k) {
    return queue.some(function (e) { return keyOf(e.ex, e.prompt) === k; });
  }

  // ---- merging after a conflict ----------------------------------------------------------------
  function showMerge(k) {
    var c = conflicts[k];
    if (!c || c.ex !== exercise) { return; }
    var box = fieldsetOf(c.prompt);
    var tpl = document.getElementById("merge-template");
    if (!box || !tpl) { return; }
    var panel = box.querySelector(".merge");
    if (!panel) {
      panel = tpl.content.firstElementChild.cloneNode(true);
      box.appendChild(panel);
      panel.addEventListener("click", function (ev) {
        var action = ev.target && ev.target.getAttribute && ev.target.getAttribute("data-merge-action");
        if (action) { resolve(k, action); }
      });
    }
    var type = box.getAttribute("data-type");
    var both = panel.querySelector('[data-merge-action="both"]');
    if (both) { both.hidden = type === "scale" || type === "single_choice"; }
    panel.querySelector('[data-merge="mine"]').textContent = display(c.mine);
    panel.querySelector('[data-merge="server"]').textContent = display(c.server.value);
    setPromptState(c.prompt, "error", T.t("choose"));
  }
  function resolve(k, action) {
    var c = conflicts[k];
    if (!c) { return; }
    // Words typed in the last moment (no blur on a tap in Safari) belong to "this tablet's".
    if (debounces[c.prompt]) { commit(c.prompt); }
    var box = fieldsetOf(c.prompt);
    var theirs = c.server.value;
    var chosen;
    if (action === "server") {
      chosen = theirs;
    } else if (action === "both") {
      if (Array.isArray(c.mine) || Array.isArray(theirs)) {
        chosen = (theirs || []).concat((c.mine || []).filter(function (v) { return (theirs || []).indexOf(v) < 0; }));
      } else {
        var a = c.mine == null ? "" : String(c.mine), b = theirs == null ? "" : String(theirs);
        chosen = !b ? a : !a ? b : a === b ? a : b + "\n\n" + a;
      }
    } else {
      chosen = c.mine;
    }
    versions[k] = c.server.version;
    delete conflicts[k];
    persist();
    if (box) {
      var panel = box.querySelector(".merge");
      if (panel) { panel.parentNode.removeChild(panel); }
      box.setAttribute("data-version", String(c.server.version));
      writeField(box, chosen);
    }
    if (action === "server") {
      setPromptState(c.prompt, "saved", T.t("prompt_saved"));
      setStatus();
    } else {
      enqueue(c.ex, c.prompt, chosen);
    }
    var field = box && box.querySelector("textarea");
    if (field && action === "both") { field.focus(); }
  }

  // ---- wiring the exercise page ----------------------------------------------------------------
  function commit(prompt) {
    if (debounces[prompt]) { clearTimeout(debounces[prompt]); delete debounces[prompt]; }
    var box = fieldsetOf(prompt);
    if (box) { enqueue(exercise, prompt, readField(box)); }
  }
  function commitAll() {
    Object.keys(debounces).forEach(commit);
  }

  if (form) {
    var sets = form.querySelectorAll("fieldset[data-prompt]");
    for (var i = 0; i < sets.length; i++) {
      (function (box) {
        var prompt = box.getAttribute("data-prompt");
        var k = keyOf(exercise, prompt);
        var pending = null;
        queue.forEach(function (e) { if (keyOf(e.ex, e.prompt) === k) { pending = e; } });
        var rendered = parseInt(box.getAttribute("data-version"), 10) || 0;
        var newer = acked.newer(k, rendered);
        if (conflicts[k]) {
          writeField(box, conflicts[k].mine);
          showMerge(k);
        } else if (pending) {
          // This tablet's unsent text is newer than the copy the server rendered.
          writeField(box, pending.value);
          setPromptState(prompt, "pending", T.t("waiting"));
        } else if (newer) {
          // The page was rendered before this tablet's last save landed: show what was saved.
          writeField(box, newer.value);
          box.setAttribute("data-version", String(newer.version));
          versions[k] = newer.version;
        } else {
          versions[k] = rendered;
        }
        acked.settle(k, rendered);
        var textarea = box.querySelector("textarea");
        if (textarea) {
          textarea.addEventListener("input", function () {
            if (debounces[prompt]) { clearTimeout(debounces[prompt]); }
            debounces[prompt] = window.setTimeout(function () { commit(prompt); }, DEBOUNCE_MS);
            setPromptState(prompt, "pending", T.t("typing"));
            setStatus();
          });
          textarea.addEventListener("blur", function () { if (debounces[prompt]) { commit(prompt); } });
        } else {
          box.addEventListener("change", function () { enqueue(exercise, prompt, readField(box)); });
        }
      })(sets[i]);
    }
    persist();
  }
  acked.prune();

  // Unload may come any moment (a reload, the home button): keep what was typed.
  window.addEventListener("pagehide", commitAll);
  window.addEventListener("beforeunload", commitAll);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { commitAll(); }
  });
  // A page brought back from the browser's page cache holds a stale copy of the queue in
  // memory, and its next write would overwrite changes queued since: load it afresh.
  window.addEventListener("pageshow", function (ev) { if (ev.persisted) { window.location.reload(); } });
  window.addEventListener("online", function () { failing = false; delay = 1000; kick(); });
  window.addEventListener("offline", setStatus);
  window.setInterval(function () { if (queue.length && !busy && !timer) { flush(); } }, 5000);

  // ---- handing the tablet back -----------------------------------------------------------------
  function clearDevice() {
    store.clearAll(PREFIX);
    try { window.sessionStorage.clear(); } catch (e) { /* nothing stored */ }
    queue = []; versions = {}; conflicts = {}; acked.entries = {};
  }
  // What this tablet still holds for the participant: answers here, and plan changes that the
  // plan editor queued (on this page or an earlier one).
  function deviceUnsent() {
    var plan = load(PREFIX + "plan.queue", []);
    return unsentCount() + plan.length + (load(PREFIX + "plan.conflict", null) ? 1 : 0);
  }
  function waitForQueue(ms) {
    return new Promise(function (done) {
      var until = Date.now() + ms;
      (function check() {
        if (!queue.length && !busy) { done(); return; }
        if (Date.now() > until || !navigator.onLine) { done(); return; }
        if (!busy) { flush(); }
        window.setTimeout(check, 150);
      })();
    });
  }
  var handback = document.getElementById("handback");
  var warning = document.getElementById("handback-warning");
  if (handback) {
    handback.addEventListener("submit", function (ev) {
      ev.preventDefault();
      commitAll();
      waitForQueue(5000).then(function () {
        if (!deviceUnsent()) { clearDevice(); handback.submit(); return; }
        if (warning) {
          warning.querySelector("[data-unsent-text]").textContent = T.n("unsent", deviceUnsent());
          warning.hidden = false;
          warning.querySelector('[data-handback="wait"]').focus();
        }
      });
    });
  }
  if (warning) {
    warning.addEventListener("click", function (ev) {
      var action = ev.target && ev.target.getAttribute && ev.target.getAttribute("data-handback");
      if (action === "wait") { warning.hidden = true; kick(); }
      if (action === "discard") { clearDevice(); handback.submit(); }
    });
  }

  setStatus();
  if (queue.length) { kick(); }
})();

// The development plan editor: the whole plan is one document, saved with the same promise as
// answers (see autosave.js). Each change goes into a queue in localStorage before it is sent;
// each save carries the version it was based on and an idempotency key; a 409 brings back the
// server copy and the participant chooses what to keep. The queue is replayed at load, when
// the network returns and on a timer -- on every tablet page, not only the plan's, so a change
// left unsent on the plan page still reaches the server -- and handing the tablet back waits
// for it.
(function () {
  "use strict";

  var root = document.getElementById("tablet");
  var pid = root && root.getAttribute("data-participant");
  var form = document.getElementById("plan");
  if (!pid) { return; }

  var PREFIX = "tandem." + pid + ".";
  var QKEY = PREFIX + "plan.queue";
  var VKEY = PREFIX + "plan.version";
  var CKEY = PREFIX + "plan.conflict";
  var DEBOUNCE_MS = 800;
  var TIMEOUT_MS = 15000;
  var TEXT = ["what", "why", "measure", "support"];
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var statusEl = document.getElementById("plan-status");

  var store = window.TandemStore;
  var load = store.load, save = store.save;
  var acked = store.acked(PREFIX + "plan.acked");

  var queue = load(QKEY, []);
  var conflict = load(CKEY, null);
  var rendered = form ? parseInt(form.getAttribute("data-version"), 10) || 0 : null;
  var stored = load(VKEY, null);
  var version = rendered == null ? stored || 0 : rendered;
  if (queue.length || conflict) { version = stored == null ? version : stored; }
  var busy = false, failing = false, delay = 1000, timer = null, debounce = null;

  function persist() { save(QKEY, queue); save(VKEY, version); save(CKEY, conflict); }
  function newKey() { return store.newKey("p-"); }
  function goalId() {
    var bytes = new Uint8Array(4), hex = "";
    window.crypto.getRandomValues(bytes);
    for (var i = 0; i < bytes.length; i++) { hex += ("0" + bytes[i].toString(16)).slice(-2); }
    return hex;
  }

  // ---- the document <-> the form ------------------------------------------------------------
  function readPlan() {
    var plan = { aspiration: form.querySelector("#plan-aspiration").value, goals: [],
                 strengths: form.querySelector("#plan-strengths").value,
                 obstacles: form.querySelector("#plan-obstacles").value };
    var boxes = form.querySelectorAll("fieldset[data-goal]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i], goal = {}, empty = true;
      TEXT.forEach(function (f) { goal[f] = box.querySelector('[data-field="' + f + '"]').value; if (goal[f].trim()) { empty = false; } });
      goal.actions = box.querySelector('[data-field="actions"]').value.split("\n").filter(function (a) { return a.trim(); });
      goal.target_date = box.querySelector('[data-field="target_date"]').value;
      if (goal.actions.length || goal.target_date) { empty = false; }
      if (empty) { continue; }
      if (!box.getAttribute("data-goal-id")) { box.setAttribute("data-goal-id", goalId()); }
      goal.id = box.getAttribute("data-goal-id");
      plan.goals.push(goal);
    }
    return plan;
  }
  function writePlan(plan) {
    form.querySelector("#plan-aspiration").value = plan.aspiration || "";
    form.querySelector("#plan-strengths").value = plan.strengths || "";
    form.querySelector("#plan-obstacles").value = plan.obstacles || "";
    var boxes = form.querySelectorAll("fieldset[data-goal]");
    for (var i = 0; i < boxes.length; i++) {
      var g = (plan.goals || [])[i] || {};
      boxes[i].setAttribute("data-goal-id", g.id || "");
      TEXT.forEach(function (f) { boxes[i].querySelector('[data-field="' + f + '"]').value = g[f] || ""; });
      boxes[i].querySelector('[data-field="actions"]').value = (g.actions || []).join("\n");
      boxes[i].querySelector('[data-field="target_date"]').value = g.target_date || "";
    }
  }
  function display(plan) {
    var lines = [];
    var T = window.TandemText;
    if (plan.aspiration) { lines.push(T.t("plan_aspiration", { text: plan.aspiration })); }
    (plan.goals || []).forEach(function (g, i) { lines.push(T.t("plan_goal", { number: i + 1, text: g.what || "" })); });
    if (plan.strengths) { lines.push(T.t("plan_strengths", { text: plan.strengths })); }
    if (plan.obstacles) { lines.push(T.t("plan_obstacles", { text: plan.obstacles })); }
    return lines.join("\n") || T.t("plan_empty");
  }
  function both(a, b) { a = a || ""; b = b || ""; return !a ? b : !b ? a : a === b ? a : a + "\n\n" + b; }
  function combine(server, mine) {
    var out = { aspiration: both(server.aspiration, mine.aspiration), strengths: both(server.strengths, mine.strengths),
                obstacles: both(server.obstacles, mine.obstacles), goals: [] };
    var byId = {};
    (server.goals || []).forEach(function (g) { var c = JSON.parse(JSON.stringify(g)); byId[g.id] = c; out.goals.push(c); });
    (mine.goals || []).forEach(function (g) {
      var s = byId[g.id];
      if (!s) { if (out.goals.length < 3) { out.goals.push(g); } return; }
      TEXT.forEach(function (f) { s[f] = both(s[f], g[f]); });
      (g.actions || []).forEach(function (a) { if (s.actions.indexOf(a) < 0) { s.actions.push(a); } });
      s.target_date = s.target_date || g.target_date;
    });
    return out;
  }

  // ---- status and queue --------------------------------------------------------------------
  function unsent() { return queue.length + (conflict ? 1 : 0) + (debounce ? 1 : 0); }
  function setStatus() {
    if (!statusEl) { return; }
    var state, text, T = window.TandemText;
    if (conflict) { state = "conflict"; text = T.t("plan_conflict"); }
    else if (queue.length && !navigator.onLine) { state = "offline"; text = T.t("plan_offline"); }
    else if (queue.length && failing) { state = "offline"; text = T.t("plan_retrying"); }
    else if (queue.length || busy || debounce) { state = "saving"; text = T.t("saving"); }
    else { state = "saved"; text = T.t("saved"); }
    statusEl.setAttribute("data-state", state);
    statusEl.setAttribute("data-unsent", String(unsent()));
    statusEl.textContent = text;
  }
  function enqueue(plan) {
    if (conflict) { conflict.mine = plan; persist(); showMerge(); setStatus(); return; }
    var last = queue[queue.length - 1];
    if (last && !last.sent) { last.content = plan; } else { queue.push({ key: newKey(), content: plan, sent: false }); }
    persist(); kick();
  }
  function kick() { setStatus(); if (timer) { clearTimeout(timer); timer = null; } window.setTimeout(flush, 0); }
  function retryLater(ms) { if (timer) { clearTimeout(timer); } timer = window.setTimeout(function () { timer = null; flush(); }, ms); }

  function flush() {
    if (busy || !queue.length || conflict) { setStatus(); return; }
    if (!navigator.onLine) { setStatus(); retryLater(5000); return; }
    var entry = queue[0];
    if (entry.base == null) { entry.base = version; }
    entry.sent = true; persist(); busy = true; setStatus();
    store.put("/p/api/plan", { content: entry.content, base_version: entry.base, idempotency_key: entry.key }, csrf, TIMEOUT_MS)
      .then(function (res) { busy = false; handle(entry, res.status, res.body); },
            function () { busy = false; failing = true; delay = Math.min(delay * 2, 15000); setStatus(); retryLater(delay); });
  }
  function handle(entry, status, body) {
    if (status === 200) {
      failing = false; delay = 1000; version = body.version;
      acked.remember("plan", body.version, entry.content);
      removeEntry(entry);
      persist(); kick(); return;
    }
    if (status === 409 && body && body.server) {
      var mine = queue[queue.length - 1].content;
      failing = false; queue = []; conflict = { mine: mine, server: body.server };
      persist(); showMerge(); setStatus(); return;
    }
    if (status === 401 || status === 403 || status === 408 || status === 425 || status === 429 ||
        status >= 500) {
      failing = true; setStatus(); retryLater(status >= 500 ? Math.min(delay *= 2, 15000) : 30000); return;
    }
    // Refused (too long, a malformed date): keep the text on screen and say why.
    removeEntry(entry); persist(); kick();
    if (statusEl) {
      statusEl.setAttribute("data-state", "error");
      statusEl.textContent = window.TandemText.t("not_saved_because", { reason: (body && body.problems && body.problems[0] && window.TandemText.t("problem", { where: body.problems[0].where, message: body.problems[0].message })) || (body && body.detail) || window.TandemText.t("refused") });
    }
  }
  function removeEntry(entry) {
    var i = queue.indexOf(entry);
    if (i >= 0) { queue.splice(i, 1); }
  }

  // ---- merging after a conflict ----------------------------------------------------------------
  // Combining keeps at most three goals: when that would drop one of this tablet's, the
  // participant chooses instead.
  function combineDrops(server, mine) {
    var ids = (server.goals || []).map(function (g) { return g.id; });
    var extra = (mine.goals || []).filter(function (g) { return ids.indexOf(g.id) < 0; }).length;
    return ids.length + extra > 3;
  }
  function showMerge() {
    if (!conflict || !form) { return; }
    var panel = document.getElementById("plan-merge");
    if (!panel) {
      panel = document.getElementById("plan-merge-template").content.firstElementChild.cloneNode(true);
      panel.id = "plan-merge";
      form.parentNode.insertBefore(panel, form);
      panel.addEventListener("click", function (ev) {
        var action = ev.target && ev.target.getAttribute && ev.target.getAttribute("data-merge-action");
        if (action) { resolve(action); }
      });
    }
    panel.querySelector('[data-merge="mine"]').textContent = display(conflict.mine);
    panel.querySelector('[data-merge="server"]').textContent = display(conflict.server.content);
    var both = panel.querySelector('[data-merge-action="both"]');
    if (both) { both.hidden = combineDrops(conflict.server.content, conflict.mine); }
  }
  function resolve(action) {
    commit();  // words typed in the last moment (no blur on a tap in Safari) are "this tablet's"
    var c = conflict, chosen;
    chosen = action === "server" ? c.server.content : action === "both" ? combine(c.server.content, c.mine) : c.mine;
    version = c.server.version; conflict = null; persist();
    var panel = document.getElementById("plan-merge");
    if (panel) { panel.parentNode.removeChild(panel); }
    writePlan(chosen);
    if (action !== "server") { enqueue(readPlan()); } else { setStatus(); }
  }

  // ---- wiring ------------------------------------------------------------------------------------
  function commit() { if (debounce && form) { clearTimeout(debounce); debounce = null; enqueue(readPlan()); } }
  if (form) {
    form.addEventListener("input", function () {
      if (debounce) { clearTimeout(debounce); }
      debounce = window.setTimeout(function () { debounce = null; enqueue(readPlan()); }, DEBOUNCE_MS);
      setStatus();
    });
    form.addEventListener("change", commit);
    var newer = acked.newer("plan", rendered);
    if (conflict) { writePlan(conflict.mine); showMerge(); }
    else if (queue.length) { writePlan(queue[queue.length - 1].content); }
    else if (newer) {
      // The page was rendered before this tablet's last save landed: show what was saved.
      writePlan(newer.value); version = newer.version; form.setAttribute("data-version", String(version));
    }
    acked.settle("plan", rendered);
  }
  acked.prune();
  window.addEventListener("pagehide", commit);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { commit(); } });
  window.addEventListener("online", function () { failing = false; delay = 1000; kick(); });
  window.addEventListener("offline", setStatus);
  window.setInterval(function () { if (queue.length && !busy && !timer) { flush(); } }, 5000);

  // Handing the tablet back clears this participant's storage: send the plan first.
  var handback = document.getElementById("handback");
  var warning = document.getElementById("handback-warning");
  var released = false;
  document.addEventListener("submit", function (ev) {
    if (ev.target !== handback || released) { return; }
    commit();
    if (!unsent()) { return; }
    ev.preventDefault(); ev.stopImmediatePropagation();
    var until = Date.now() + 5000;
    (function check() {
      if (!unsent()) {
        // Let the answer autosave (autosave.js) take its turn; it submits the form itself.
        released = true;
        if (handback.requestSubmit) { handback.requestSubmit(); }
        else { handback.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true })); }
        released = false;
        return;
      }
      if (Date.now() > until || !navigator.onLine || conflict) {
        if (warning) { warning.querySelector("[data-unsent-text]").textContent = window.TandemText.n("unsent", unsent()); warning.hidden = false; }
        return;
      }
      if (!busy) { flush(); }
      window.setTimeout(check, 150);
    })();
  }, true);

  persist(); setStatus();
  if (queue.length) { kick(); }
})();

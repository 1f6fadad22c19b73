// What a tablet keeps for the signed-in participant in localStorage, shared by the answer
// autosave (autosave.js) and the plan editor (plan.js). Handing the tablet back removes every
// key under the participant's prefix.
(function () {
  "use strict";

  // An acknowledged copy is only needed until a page rendered after it has been loaded; it is
  // never kept on a shared device for longer than this.
  var ACKED_FOR_MS = 10 * 60 * 1000;

  function load(key, fallback) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) { return fallback; }
  }
  // Set when the tablet is handed back: a request that finishes afterwards must not write the
  // previous participant's words back onto the device.
  var sealed = false;
  function save(key, value) {
    if (sealed) { return; }
    // Memory stays the source of truth when storage is full or refused.
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* kept in memory */ }
  }
  // Remove every key under ``prefix`` and refuse later writes on this page.
  function clearAll(prefix) {
    sealed = true;
    var doomed = [];
    for (var i = 0; i < window.localStorage.length; i++) {
      var name = window.localStorage.key(i);
      if (name && name.indexOf(prefix) === 0) { doomed.push(name); }
    }
    doomed.forEach(function (name) { window.localStorage.removeItem(name); });
  }
  function newKey(prefix) {
    var bytes = new Uint8Array(16), hex = "";
    window.crypto.getRandomValues(bytes);
    for (var i = 0; i < bytes.length; i++) { hex += ("0" + bytes[i].toString(16)).slice(-2); }
    return prefix + hex;
  }

  // PUT one save and settle with {status, body}; reject when nothing usable came back.
  //
  // A response that says 200 (or 409) but whose body cannot be read -- the page unloading
  // mid-response, a dropped connection -- is no answer: the save stays queued, and its replay
  // under the same idempotency key returns the stored result (or the conflict, whole).
  function put(url, payload, csrf, timeoutMs) {
    var controller = window.AbortController ? new AbortController() : null;
    var watchdog = controller ? window.setTimeout(function () { controller.abort(); }, timeoutMs) : null;
    return window.fetch(url, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(payload),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().then(function (body) { return body; }, function () { return null; })
        .then(function (body) {
          var unread = response.ok ? !(body && typeof body.version === "number")
            : response.status === 409 && body === null;
          if (unread) { throw new Error("the answer could not be read"); }
          return { status: response.status, body: body || {} };
        });
    }).then(function (res) {
      if (watchdog) { clearTimeout(watchdog); }
      return res;
    }, function (err) {
      if (watchdog) { clearTimeout(watchdog); }
      throw err;
    });
  }

  // The newest copy of each document that the server acknowledged to this tablet.
  //
  // A page requested while a save is in flight (a reload, a tap on a link) can be rendered
  // from the copy before that save, and the save's acknowledgement then empties the queue:
  // without this record the tablet would show older words than the server holds, and the
  // participant's next keystroke would come back as a conflict with their own text.
  function Acked(storageKey) {
    this.key = storageKey;
    this.entries = load(storageKey, {});
  }
  Acked.prototype.remember = function (id, version, value) {
    this.entries = load(this.key, {});  // another script on the page may have pruned it
    this.entries[id] = { version: version, value: value, at: Date.now() };
    save(this.key, this.entries);
  };
  // The acknowledged copy when it is newer than the version the page was rendered from.
  Acked.prototype.newer = function (id, rendered) {
    var e = this.entries[id];
    return e && e.version > rendered ? e : null;
  };
  // Forget copies the page has caught up with, and any older than ACKED_FOR_MS.
  Acked.prototype.settle = function (id, rendered) {
    var e = this.entries[id];
    if (e && e.version <= rendered) { delete this.entries[id]; }
  };
  Acked.prototype.prune = function () {
    var cutoff = Date.now() - ACKED_FOR_MS, entries = this.entries;
    Object.keys(entries).forEach(function (id) {
      if (!(entries[id].at >= cutoff)) { delete entries[id]; }
    });
    save(this.key, entries);
  };

  // Acknowledged copies hold answer text: forget old ones for every participant who used this
  // tablet, not only the one signed in, at each page load and every minute.
  function pruneAllAcked() {
    var names = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var name = window.localStorage.key(i);
        if (name && /^tandem\.[^.]+\.(plan\.)?acked$/.test(name)) { names.push(name); }
      }
    } catch (e) { return; }
    names.forEach(function (name) { new Acked(name).prune(); });
  }
  pruneAllAcked();
  window.setInterval(pruneAllAcked, 60 * 1000);

  window.TandemStore = {
    load: load,
    save: save,
    newKey: newKey,
    put: put,
    clearAll: clearAll,
    acked: function (storageKey) { return new Acked(storageKey); }
  };
})();

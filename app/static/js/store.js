// What a tablet keeps for the signed-in participant in localStorage, shared by the answer
// autosave (autosave.js) and the plan editor (plan.js). Handing the tablet back removes every
// key under the participant's prefix.
//
// A shared tablet also holds what earlier participants left unsent (their session timed out
// while offline, or someone else signed in): it must wait for them, and the next person must
// not read it. So every value is sealed (ChaCha20-Poly1305, RFC 8439, a fresh random nonce per
// write) with a key the server puts only into the pages of that participant's own sessions.
// The cipher is @noble/ciphers (static/vendor), not WebCrypto: crypto.subtle exists only on
// https:// and localhost, and tablets in a room usually reach the server over plain http on
// the local network; and a synchronous cipher keeps the queue's write-before-send order
// exactly as it was. A value that does not open with this key (another participant's, or
// tampered with) reads as absent.
(function () {
  "use strict";

  // An acknowledged copy is only needed until a page rendered after it has been loaded; it is
  // never kept on a shared device for longer than this.
  var ACKED_FOR_MS = 10 * 60 * 1000;

  function toBase64(bytes) {
    var bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return window.btoa(bin);
  }
  function fromBase64(text) {
    var bin = window.atob(text), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }
  function fromHex(hex) {
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) { out[i] = parseInt(hex.substr(2 * i, 2), 16); }
    return out;
  }

  var meta = document.querySelector('meta[name="tandem-store-key"]');
  var keyHex = meta ? meta.getAttribute("content") : "";
  var key = /^[0-9a-f]{64}$/.test(keyHex) ? fromHex(keyHex) : null;

  function seal(value) {
    var nonce = new Uint8Array(12);
    window.crypto.getRandomValues(nonce);
    var plain = new TextEncoder().encode(JSON.stringify(value));
    var sealedBytes = window.NobleCiphers.chacha20poly1305(key, nonce).encrypt(plain);
    return JSON.stringify({ v: 2, at: Date.now(), n: toBase64(nonce), c: toBase64(sealedBytes) });
  }
  // The stored envelope, or null for a value that is not one.
  function envelope(raw) {
    try {
      var e = JSON.parse(raw);
      return e && typeof e.v === "number" && typeof e.n === "string" && typeof e.c === "string" ? e : null;
    } catch (err) { return null; }
  }

  function load(name, fallback) {
    try {
      var raw = window.localStorage.getItem(name);
      if (!raw) { return fallback; }
      var e = envelope(raw);
      if (!e) { return JSON.parse(raw); }  // written before values were encrypted
      if (!key || e.v !== 2) { return fallback; }
      var cipher = window.NobleCiphers.chacha20poly1305(key, fromBase64(e.n));
      return JSON.parse(new TextDecoder().decode(cipher.decrypt(fromBase64(e.c))));
    } catch (err) { return fallback; }
  }
  // Set when the tablet is handed back: a request that finishes afterwards must not write the
  // previous participant's words back onto the device.
  var sealed = false;
  function save(name, value) {
    if (sealed || !key) { return; }
    // Memory stays the source of truth when storage is full or refused.
    try { window.localStorage.setItem(name, seal(value)); } catch (e) { /* kept in memory */ }
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
      if (res.status < 400) { lastContact = Date.now(); }
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
  // tablet, not only the one signed in, at each page load and every minute. Another
  // participant's copies cannot be read here, but their envelope says when it was last
  // written: every copy in it is at least that old, so past the limit it goes whole.
  function pruneAllAcked() {
    var names = [], cutoff = Date.now() - ACKED_FOR_MS;
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var name = window.localStorage.key(i);
        if (name && /^tandem\.[^.]+\.(plan\.)?acked$/.test(name)) { names.push(name); }
      }
      names.forEach(function (name) {
        var e = envelope(window.localStorage.getItem(name));
        // Copies the server acknowledged are never the only ones, so dropping them is safe: an
        // old envelope, or another participant's copies from before values were encrypted.
        if (e ? !(e.at >= cutoff) : !ownName(name)) { window.localStorage.removeItem(name); return; }
        if (key && ownName(name)) { new Acked(name).prune(); }
      });
    } catch (err) { /* storage refused: nothing kept either */ }
  }
  var root = document.getElementById("tablet");
  var pid = root && root.getAttribute("data-participant");
  function ownName(name) { return !!pid && name.indexOf("tandem." + pid + ".") === 0; }
  pruneAllAcked();
  window.setInterval(pruneAllAcked, 60 * 1000);

  // A tablet left alone is signed out by the server; the page must not keep showing the
  // participant's words to whoever picks it up. The server counts a page load or a save as
  // use (to the minute), so the page leaves a minute early and ends the session itself.
  // Unsent changes stay on the tablet, encrypted, for the participant's next sign-in.
  var idleMs = root ? (parseInt(root.getAttribute("data-idle-seconds"), 10) || 0) * 1000 : 0;
  var lastContact = Date.now();
  if (key && idleMs) {
    var idleTimer = window.setInterval(function () {
      if (Date.now() - lastContact < Math.max(idleMs - 60 * 1000, 60 * 1000)) { return; }
      window.clearInterval(idleTimer);
      var csrfMeta = document.querySelector('meta[name="csrf-token"]');
      var leave = function () { window.location.replace("/join?idle=1"); };
      window.fetch("/p/signout", {
        method: "POST", credentials: "same-origin", redirect: "manual",
        headers: { "X-CSRF-Token": csrfMeta ? csrfMeta.getAttribute("content") : "" }
      }).then(leave, leave);
    }, 15 * 1000);
  }

  window.TandemStore = {
    load: load,
    save: save,
    newKey: newKey,
    put: put,
    clearAll: clearAll,
    acked: function (storageKey) { return new Acked(storageKey); }
  };
})();

// Tablets follow the facilitator's "next": a server-sent event stream says when the run of
// show changed (its version); polling every 10 s takes over where the stream cannot work.
// Only the "now" panel is touched, so a half-written answer on the page is never disturbed;
// the home page (data-follow="reload" on the panel) reloads, as it shows nothing typed.
(function () {
  "use strict";
  var panel = document.getElementById("now-panel");
  if (!panel) { return; }
  var version = parseInt(panel.getAttribute("data-version") || "-1", 10);
  var reload = panel.getAttribute("data-follow") === "reload" ||
    document.body.getAttribute("data-page") === "home";
  var pollTimer = null;

  function hhmm(t) { return t ? String(t).slice(0, 5) : ""; }
  function describe(item) {
    var T = window.TandemText;
    if (!T) { return item ? item.title : ""; }
    if (!item) { return T.t("nothing_planned"); }
    return T.t("now_item", { title: item.title, day: item.day, start: hhmm(item.start), end: hhmm(item.end) });
  }
  function render(data) {
    var current = panel.querySelector("[data-now='current']");
    var next = panel.querySelector("[data-now='next']");
    if (current) { current.textContent = describe(data.current); }
    if (next) { next.textContent = describe(data.next); }
    panel.setAttribute("data-version", String(data.version));
  }
  function changed(newVersion) {
    if (newVersion === version) { return; }
    var first = version < 0;
    version = newVersion;
    if (first) { return; }  // a page rendered without its version only learns it here
    if (reload) { window.location.reload(); return; }
    fetch("/p/now", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () { /* the next event or poll tries again */ });
  }
  function poll() {
    fetch("/p/now", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { changed(data.version); } })
      .catch(function () { /* offline: try again on the next tick */ });
  }
  function startPolling() {
    if (pollTimer === null) { pollTimer = setInterval(poll, 10000); }
  }
  if (!("EventSource" in window)) { startPolling(); return; }
  var source = new EventSource("/p/now/stream");
  source.addEventListener("version", function (event) {
    var v = parseInt(event.data, 10);
    if (!isNaN(v)) { changed(v); }
  });
  source.addEventListener("open", function () {
    if (pollTimer !== null) { clearInterval(pollTimer); pollTimer = null; }
  });
  // EventSource reconnects by itself (the server's retry hint); poll meanwhile so a tablet on
  // a proxy that buffers streams still follows within 10 s.
  source.addEventListener("error", startPolling);
})();

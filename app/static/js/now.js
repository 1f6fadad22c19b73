// The projector's countdown ticks every second from the end time the server rendered; the
// panel itself is refreshed by htmx, so this script only keeps the clock moving in between.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var panel = document.getElementById("now-projector");
    if (!panel) { return; }
    var endsAt = panel.getAttribute("data-ends-at");
    var out = panel.querySelector("[data-countdown]");
    if (!endsAt || !out) { return; }
    var left = Math.round((Date.parse(endsAt) - Date.now()) / 1000);
    var over = left < 0;
    var s = Math.abs(left);
    // The words come from the page (data-left-text / data-over-text, e.g. "{clock} left"),
    // in the reader's language; without them the clock keeps the words the server rendered
    // and changes only the time in them.
    var clock = Math.floor(s / 60) + ":" + pad(s % 60);
    var words = out.getAttribute(over ? "data-over-text" : "data-left-text");
    out.textContent = words ? words.replace("{clock}", clock)
      : out.textContent.replace(/\d+:\d\d/, clock);
    out.classList.toggle("over", over);
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
})();

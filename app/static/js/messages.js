// The words the tablet's scripts show. The page renders them in the reader's language into
// <script type="application/json" id="tablet-messages">; the scripts hold no words of their own.
// Counted messages come as CLDR plural categories ("one", "other", ...), picked here with
// Intl.PluralRules for the page's language; %(name)s placeholders are filled by name.
(function () {
  "use strict";
  var el = document.getElementById("tablet-messages");
  var all = {};
  try { all = el ? JSON.parse(el.textContent) : {}; } catch (e) { all = {}; }
  var lang = all.lang || document.documentElement.getAttribute("lang") || "en";
  var rules = null;
  try { rules = new Intl.PluralRules(lang); } catch (e) { rules = null; }

  function fill(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }
  function t(key, values) {
    var text = all[key];
    return typeof text === "string" ? fill(text, values) : key;
  }
  function n(key, count, values) {
    var forms = all[key] || {};
    var category = rules ? rules.select(count) : "other";
    var text = forms[category] || forms.other || key;
    var filled = { num: count };
    for (var k in values || {}) { if (Object.prototype.hasOwnProperty.call(values, k)) { filled[k] = values[k]; } }
    return fill(text, filled);
  }
  window.TandemText = { t: t, n: n, lang: lang };
})();

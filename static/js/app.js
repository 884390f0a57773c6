/* Live countdowns, keyboard shortcuts and small conveniences. No dependencies. */
(function () {
  "use strict";
  var T = {};
  function i18n() {
    var el = document.getElementById("i18n-strings");
    if (el) { try { T = JSON.parse(el.textContent); } catch (e) { T = {}; } }
  }
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function span(seconds) {
    var s = Math.abs(Math.round(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d > 0) return d + (T.d || "d") + " " + h + (T.h || "h");
    if (h > 0) return h + (T.h || "h") + " " + two(m) + (T.m || "m");
    // Units, not "24:52", which reads like 24 hours.
    return m + (T.m || "m") + " " + two(s % 60) + (T.s || "s");
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(due)) return;
      var left = (due - now) / 1000;
      el.classList.toggle("late", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 600);
      el.textContent = left < 0 ? (T.late || "late by") + " " + span(left)
                                : span(left) + " " + (T.left || "left");
    });
  }
  function shortcuts(ev) {
    var tag = (ev.target.tagName || "").toLowerCase();
    var typing = tag === "input" || tag === "textarea" || tag === "select";
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") {
      var form = ev.target.form || document.querySelector("form[data-primary]");
      if (form) { ev.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (ev.altKey && /^[123]$/.test(ev.key)) {
      var radio = document.querySelector('input[name="grade"][value="' + ["I", "II", "III"][ev.key - 1] + '"]');
      if (radio) { ev.preventDefault(); radio.click(); radio.dispatchEvent(new Event("change", { bubbles: true })); }
      return;
    }
    if (!typing && ev.key === "/") {
      var search = document.querySelector("input[name=search]");
      if (search) { ev.preventDefault(); search.focus(); }
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    i18n(); tick(); setInterval(tick, 1000);
    document.addEventListener("keydown", shortcuts);
    document.body.addEventListener("htmx:afterSwap", tick);
    // Behaviours that templates ask for with data- attributes (the Content-Security-Policy
    // allows no inline handlers such as onclick=).
    document.addEventListener("change", function (ev) {
      var el = ev.target;
      if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
    });
    document.addEventListener("click", function (ev) {
      var el = ev.target.closest ? ev.target : null;
      if (!el) return;
      if (el.closest("[data-print]")) { ev.preventDefault(); window.print(); }
      if (el.hasAttribute("data-select-on-click")) el.select();
    });
    // Polls marked data-poll-visible skip their request while the tab is hidden.
    document.body.addEventListener("htmx:beforeRequest", function (ev) {
      var elt = ev.detail && ev.detail.elt;
      if (elt && elt.hasAttribute("data-poll-visible") && document.visibilityState !== "visible") {
        ev.preventDefault();
      }
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (ev) {
        if (!window.confirm(f.getAttribute("data-confirm"))) ev.preventDefault();
      });
    });
  });
})();

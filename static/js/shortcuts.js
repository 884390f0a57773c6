/* Desk-wide keyboard shortcuts and the unsaved-report reminder. No dependencies.
     n   a new report (for those who may log one)
     g   go to an incident by its number (full or partial: AS-20261123-000042, 42)
     ?   the list of shortcuts
   Keys are ignored while the user types in a field. The help dialog and its texts come
   from the server (translated), fetched the first time they are needed. */
(function () {
  "use strict";
  var script = document.currentScript;
  var user = script && script.getAttribute("data-user");
  var helpUrl = script && script.getAttribute("data-keyboard");
  if (!user || !helpUrl) return;  // not logged in
  var draftKey = "intake-draft:" + user;
  var loaded = null;

  function typing(el) {
    var tag = (el && el.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || (el && el.isContentEditable);
  }
  function load() {
    if (!loaded) {
      loaded = fetch(helpUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.id = "keyboard-helpers";
          holder.innerHTML = html;
          document.body.appendChild(holder);
          return holder;
        });
    }
    return loaded;
  }
  function openHelp(focusGoto) {
    load().then(function (holder) {
      var dialog = holder.querySelector("dialog");
      if (!dialog) return;
      if (!dialog.open) dialog.showModal();
      var input = dialog.querySelector("input[name=number]");
      if (input && focusGoto) { input.value = ""; input.focus(); }
    });
  }
  function hasDraft() {
    try { return !!localStorage.getItem(draftKey); } catch (e) { return false; }
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    if (document.querySelector("dialog[open]")) return;
    if (ev.key === "n") {
      var link = document.querySelector("a.nav-cta");
      if (link) { ev.preventDefault(); window.location.href = link.href; }
    } else if (ev.key === "g") {
      ev.preventDefault(); openHelp(true);
    } else if (ev.key === "?") {
      ev.preventDefault(); openHelp(false);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-intake-saved]")) {  // the report was saved: drop its draft
      try { localStorage.removeItem(draftKey); } catch (e) { /* ignore */ }
      return;
    }
    if (document.getElementById("intake") || !hasDraft()) return;
    load().then(function (holder) {  // elsewhere: offer to go back to the unsaved report
      var banner = holder.querySelector("#draft-banner");
      var main = document.getElementById("main");
      if (!banner || !main) return;
      main.insertBefore(banner, main.firstChild);
      banner.hidden = false;
    });
  });
})();

/* The intake form: a report typed during a call is never lost.
   - Every keystroke is kept in this browser (localStorage, one draft per user) until the
     report is saved; the incident page then drops it (shortcuts.js, data-intake-saved).
   - Opening the form again (after a reload, a crash, a new login) restores the draft.
   - Leaving a half-typed form asks first (beforeunload).
   - If the session expired, the inline checks say so instead of showing the login page
     inside the form; the draft is kept for after the login.
   No dependencies besides htmx, which the page already loads. */
(function () {
  "use strict";
  var form = document.getElementById("intake");
  if (!form) return;
  var key = form.getAttribute("data-draft-key");
  var note = document.getElementById("draft-note");
  var submitting = false;

  function inputs() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" &&
        ["submit", "button", "hidden", "file"].indexOf(el.type) === -1;
    });
  }
  function collect() {
    var data = {};
    inputs().forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) data[el.name] = el.value;
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }
  // Something typed (or a grade chosen): the selects' defaults alone are not a report.
  function worthKeeping(data) {
    return inputs().some(function (el) {
      if (el.tagName === "SELECT") return false;
      return (data[el.name] || "").trim() !== "";
    });
  }
  function read() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function save() {
    var data = collect();
    try {
      if (worthKeeping(data)) localStorage.setItem(key, JSON.stringify({ at: Date.now(), fields: data }));
      else localStorage.removeItem(key);
    } catch (e) { /* storage full or disabled: nothing more we can do */ }
  }
  function show(which) {
    if (!note) return;
    note.hidden = false;
    note.querySelector("[data-restored]").hidden = which !== "restored";
    note.querySelector("[data-expired]").hidden = which !== "expired";
  }
  function fire(el, type) { el.dispatchEvent(new Event(type, { bubbles: true })); }

  function restore() {
    var draft = read();
    if (!draft || !draft.fields) return;
    if (!form.hasAttribute("data-bound")) {  // a re-shown form already has what was posted
      inputs().forEach(function (el) {
        if (!(el.name in draft.fields)) return;
        var value = draft.fields[el.name];
        if (el.type === "radio" || el.type === "checkbox") el.checked = el.value === value;
        else el.value = value;
      });
      var grade = form.querySelector("input[name=grade]:checked");
      if (grade) fire(grade, "change");  // the deadline preview
      ["customer_phone", "asset_ref"].forEach(function (name) {  // the caller's history
        var el = form.elements[name];
        if (el && el.value) fire(el, "input");
      });
      show("restored");
    }
  }

  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function () { save(); submitting = true; });
  window.addEventListener("beforeunload", function (ev) {
    if (submitting || !worthKeeping(collect())) return;
    ev.preventDefault();
    ev.returnValue = "";  // the browser shows its own "Leave site?" text
  });
  if (note) {
    note.querySelector("[data-discard]").addEventListener("click", function () {
      try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
      submitting = true;  // no "leave site?" for a draft thrown away on purpose
      window.location.href = window.location.pathname;
    });
  }
  document.body.addEventListener("htmx:beforeSwap", function (ev) {
    var url = (ev.detail.xhr && ev.detail.xhr.responseURL) || "";
    var login = note && note.querySelector("[data-expired] a");
    if (login && url.indexOf(login.pathname) !== -1) {
      ev.detail.shouldSwap = false;
      save();
      show("expired");
    }
  });
  // The phone lookup's customer card (customers/partials/lookup_card.html): "Use this
  // customer" links the report to the record (the hidden customer field) and fills an
  // empty caller name; typing another phone unlinks it (the lookup then looks again).
  var picked = form.querySelector("input[name=customer]");
  form.addEventListener("click", function (ev) {
    var button = ev.target.closest("[data-pick-customer]");
    if (!button || !picked) return;
    picked.value = button.getAttribute("data-pick-customer");
    var name = button.getAttribute("data-name");
    var nameInput = form.querySelector("[name=customer_name]");
    if (name && nameInput && !nameInput.value.trim()) nameInput.value = name;
    var card = button.closest("[data-customer-card]");
    card.classList.add("picked");
    card.querySelector("[data-picked]").hidden = false;
    button.hidden = true;
    save();
  });
  var phoneInput = form.querySelector("[name=customer_phone]");
  if (phoneInput && picked) {
    phoneInput.addEventListener("input", function () { picked.value = ""; });
  }
  function ready() { setTimeout(restore, 0); }  // after htmx has wired the form
  if (document.readyState === "complete") ready();
  else document.addEventListener("DOMContentLoaded", ready);
})();

/* The list's small behaviours: "Any" boxes, row selection kept across live refreshes,
   the dispatch fields shown only for dispatch. */
(function () {
  "use strict";
  var picked = new Set();
  var filters = document.getElementById("filters");
  var bulk = document.getElementById("bulk");

  filters.addEventListener("change", function (ev) {
    var box = ev.target;
    var group = box.closest("[data-any-group]");
    if (!group || box.type !== "checkbox") return;
    var any = group.querySelector("[data-any]");
    var others = group.querySelectorAll("input[type=checkbox]:not([data-any])");
    if (box === any) {
      others.forEach(function (o) { o.checked = false; });
      any.checked = true;
    } else {
      var some = Array.prototype.some.call(others, function (o) { return o.checked; });
      any.checked = !some;
    }
  }, true);

  function rowBoxes() { return document.querySelectorAll("#results input[name=ids]"); }
  function paint() {
    var boxes = rowBoxes(), all = document.getElementById("pick-all"), n = 0;
    boxes.forEach(function (b) {
      b.checked = picked.has(b.value);
      b.closest("tr").classList.toggle("picked", b.checked);
      if (b.checked) n++;
    });
    if (all) all.checked = boxes.length > 0 && n === boxes.length;
    var count = document.getElementById("bulk-count");
    if (count) count.textContent = count.getAttribute("data-template").replace("__N__", picked.size);
  }
  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t.name === "ids") { if (t.checked) picked.add(t.value); else picked.delete(t.value); paint(); }
    if (t.id === "pick-all") { rowBoxes().forEach(function (b) { if (t.checked) picked.add(b.value); else picked.delete(b.value); }); paint(); }
  });
  document.body.addEventListener("htmx:afterSwap", paint);
  if (bulk) {
    var action = document.getElementById("id_bulk_action");
    function showFields() {
      bulk.querySelectorAll("[data-for-action]").forEach(function (el) {
        el.hidden = el.getAttribute("data-for-action") !== action.value;
      });
    }
    action.addEventListener("change", showFields); showFields();
    /* Rows ticked on an earlier page or before a refresh are sent too. */
    bulk.addEventListener("htmx:configRequest", function (ev) {
      ev.detail.parameters.delete ? ev.detail.parameters.delete("ids") : delete ev.detail.parameters.ids;
      var ids = Array.from(picked);
      if (ev.detail.parameters.append) { ids.forEach(function (id) { ev.detail.parameters.append("ids", id); }); }
      else { ev.detail.parameters.ids = ids; }
    });
    document.body.addEventListener("bulk-done", function (ev) {
      (ev.detail.value || ev.detail.done || []).forEach(function (id) { picked.delete(String(id)); });
      paint();
    });
  }
  paint();
})();

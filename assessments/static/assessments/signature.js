// Finger / mouse signature pad: draws on a canvas and puts a PNG data URL in the hidden
// "signature" field on submit. Works with Pointer Events (touch, pen and mouse).
(function () {
  function setup(form) {
    if (form.dataset.ready) return;
    form.dataset.ready = "1";
    var canvas = form.querySelector("canvas.sigpad");
    var field = form.querySelector("input[name$='signature']");
    var ctx = canvas.getContext("2d");
    var drawing = false, drawn = false, last = null;
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111827";
    function pos(e) {
      var r = canvas.getBoundingClientRect();
      return { x: (e.clientX - r.left) * canvas.width / r.width,
               y: (e.clientY - r.top) * canvas.height / r.height };
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; last = pos(e); canvas.setPointerCapture(e.pointerId); e.preventDefault();
      ctx.beginPath(); ctx.arc(last.x, last.y, 1.4, 0, Math.PI * 2); ctx.fill(); drawn = true;
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = pos(e);
      ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
      last = p; drawn = true; e.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) {
      canvas.addEventListener(t, function () { drawing = false; });
    });
    form.querySelector("[data-clear]").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; field.value = "";
    });
    form.addEventListener("submit", function () {
      field.value = drawn ? canvas.toDataURL("image/png") : "";
    });
  }
  function init() { document.querySelectorAll("form[data-signoff]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  document.addEventListener("htmx:afterSwap", init);
})();

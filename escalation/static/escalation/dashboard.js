/* Escalation dashboard: the sound for a new Level I incident (a short tone made with the Web
   Audio API, no file), switched on per browser by the manager; the filter form follows the
   board's polling. */
(function () {
  "use strict";
  var KEY = "dashboard-sound";
  var SEEN = "dashboard-seen-grade-i";
  var audio = null;

  function soundOn() { return localStorage.getItem(KEY) === "on"; }

  function showToggle() {
    var button = document.getElementById("sound-toggle");
    if (!button) return;
    button.setAttribute("aria-pressed", soundOn() ? "true" : "false");
    button.textContent = soundOn() ? button.dataset.on : button.dataset.off;
  }

  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.3, audio.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.6);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.65);
      document.documentElement.dataset.lastTone = String(Date.now());
    } catch (e) { /* no audio device: the banner is enough */ }
  }

  function seen() {
    try { return JSON.parse(sessionStorage.getItem(SEEN) || "[]"); } catch (e) { return []; }
  }

  function checkNew(first) {
    var known = seen();
    var fresh = [];
    document.querySelectorAll("[data-new-grade-i]").forEach(function (el) {
      var id = el.getAttribute("data-new-grade-i");
      if (known.indexOf(id) === -1) { fresh.push(id); known.push(id); }
    });
    sessionStorage.setItem(SEEN, JSON.stringify(known.slice(-200)));
    if (fresh.length && !first && soundOn()) beep();
  }

  document.addEventListener("DOMContentLoaded", function () {
    showToggle();
    checkNew(true);
    var button = document.getElementById("sound-toggle");
    if (button) {
      button.addEventListener("click", function () {
        localStorage.setItem(KEY, soundOn() ? "off" : "on");
        showToggle();
        if (soundOn()) beep();  // a click unlocks audio in the browser, and lets one hear it
      });
    }
  });
  // htmx:load fires on the new board after each swap (the old one is gone by then).
  document.addEventListener("htmx:load", function () { checkNew(false); });
})();

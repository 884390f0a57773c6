/* My jobs, offline: every action of a job card (arrive, note, photos, part used, resolve)
   is queued in IndexedDB with the phone's time, its position where it matters and an
   idempotency key, then sent in order through the one sync endpoint (field/views.py)
   whenever there is a signal. The server answers each action: recorded, already recorded
   (a retry), or not recorded and why (the job changed meanwhile): shown, never hidden.
   No dependencies; served from 'self' (CSP). */
(function () {
  "use strict";
  var root = document.querySelector("[data-field-app]");
  if (!root) return;
  var SYNC_URL = root.getAttribute("data-sync-url");
  var JOBS_URL = root.getAttribute("data-jobs-url");
  var SW_URL = root.getAttribute("data-sw-url");
  var POSITIONED = { arrive: true, resolve: true, sign_off: true };
  var T = {};
  var strings = document.getElementById("field-strings");
  (strings && strings.content ? strings.content : document).querySelectorAll("[data-k]").forEach(function (el) {
    T[el.getAttribute("data-k")] = el.textContent.trim();
  });
  var status = document.getElementById("field-status");
  var problems = document.getElementById("field-problems");
  var syncing = false;
  var waiting = 0; // actions queued and not yet sent (kept by render)

  // --- IndexedDB: one store, ordered by an auto-increment sequence -------------------
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open("field-queue", 1);
        req.onupgradeneeded = function () {
          req.result.createObjectStore("actions", { keyPath: "seq", autoIncrement: true });
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }
  function store(mode, work) {
    return db().then(function (conn) {
      return new Promise(function (resolve, reject) {
        var tx = conn.transaction("actions", mode);
        var result = work(tx.objectStore("actions"));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function all() { return store("readonly", function (s) { return s.getAll(); }); }
  function put(item) { return store("readwrite", function (s) { return s.put(item); }); }
  function remove(seq) { return store("readwrite", function (s) { return s["delete"](seq); }); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  // --- position: asked with consent, kept fresh while the page is open ----------------
  // The fix is read when the technician taps (no wait: the tap acts at once, online or
  // not). The browser asks once, when the technician taps "Share my position"; a refusal
  // is recorded with the action ("denied"), never blocking it.
  var fix = null;
  var consent = document.getElementById("field-consent");
  function maxAccuracy() { return Number(localStorage.getItem("field.maxAccuracy") || 5000); }
  function keep(p) {
    if (!(p.coords.accuracy > 0) || p.coords.accuracy > maxAccuracy()) { fix = { status: "unavailable" }; return; }
    fix = { status: "ok", latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy, at: Date.now() };
  }
  function failed(err) { fix = { status: err && err.code === 1 ? "denied" : "unavailable" }; }
  function watch() {
    if (consent) consent.hidden = true;
    navigator.geolocation.watchPosition(keep, failed, { enableHighAccuracy: true, maximumAge: 60000, timeout: 30000 });
  }
  function startPosition() {
    if (!navigator.geolocation) { fix = { status: "unavailable" }; return; }
    if (consent) consent.addEventListener("click", watch);
    if (!navigator.permissions) { if (consent) consent.hidden = false; return; }
    navigator.permissions.query({ name: "geolocation" }).then(function (p) {
      if (p.state === "granted") watch();
      else if (p.state === "denied") fix = { status: "denied" };
      else if (consent) consent.hidden = false;
    }).catch(function () { if (consent) consent.hidden = false; });
  }
  function position() {
    if (!fix) return { status: "none" };
    if (fix.status === "ok" && Date.now() - fix.at > 5 * 60000) return { status: "unavailable" };
    return { status: fix.status, latitude: fix.latitude, longitude: fix.longitude, accuracy: fix.accuracy };
  }
  function fillPosition(form) {
    var pos = position();
    ["position_status", "latitude", "longitude", "accuracy"].forEach(function (name) {
      var input = form.querySelector('input[name="' + name + '"]');
      if (!input) { input = document.createElement("input"); input.type = "hidden"; input.name = name; form.appendChild(input); }
      var key = name === "position_status" ? "status" : name;
      input.value = pos[key] === undefined ? "" : String(pos[key]);
    });
  }

  // --- reading a card's forms -------------------------------------------------------
  function field(form, suffix) {
    var el = form.querySelector('[name="' + suffix + '"]') || form.querySelector('[name$="-' + suffix + '"]');
    return el ? el.value : "";
  }
  function kindOf(form) {
    var kind = form.getAttribute("data-field-kind");
    if (kind) return kind;
    if (/\/used\/?$/.test(form.getAttribute("action") || "")) return "part_used";
    return null;
  }
  function actionsFrom(form, kind, job, deviceAt) {
    var base = function (data, file) {
      return { key: uuid(), kind: kind, job: job, device_at: deviceAt, data: data, file: file || null, state: "queued" };
    };
    if (kind === "note") return [base({ text: field(form, "text") })];
    if (kind === "resolve") return [base({ resolution: field(form, "resolution") })];
    if (kind === "arrive") return [base({})];
    if (kind === "part_used") {
      return [base({ sku: field(form, "part"), depot: field(form, "depot"), quantity: field(form, "quantity") || "1", lots: field(form, "lots") })];
    }
    if (kind === "photo") {
      var input = form.querySelector('input[type="file"]');
      var caption = field(form, "caption");
      return Array.prototype.map.call(input.files || [], function (f) {
        return base({ caption: caption }, f);
      });
    }
    return [];
  }

  // Online with nothing waiting, a card's form posts as it always did (arrive and resolve
  // with the position in hidden fields); offline, or behind queued actions (their order
  // is kept), it is queued.
  function direct(kind, form) {
    if (!navigator.onLine || waiting > 0 || syncing) return false;
    if (kind === "photo") {
      var input = form.querySelector('input[type="file"]');
      return !input || (input.files || []).length <= 1;
    }
    return true;
  }
  function onSubmit(ev) {
    var form = ev.target;
    var card = form.closest && form.closest("[data-job]");
    if (!card) return;
    var kind = kindOf(form);
    if (!kind) return;
    if (direct(kind, form)) {
      if (POSITIONED[kind]) fillPosition(form);
      return;
    }
    // Before htmx or the browser: the queue owns this action now.
    ev.preventDefault();
    ev.stopImmediatePropagation();
    var deviceAt = new Date().toISOString(); // the moment the technician acted
    var job = Number(card.getAttribute("data-job"));
    var items = actionsFrom(form, kind, job, deviceAt);
    if (!items.length) return;
    var pos = POSITIONED[kind] ? position() : null;
    waiting += items.length;
    Promise.all(items.map(function (item) {
      if (pos) item.position = pos;
      return put(item);
    })).then(function () {
      afterQueued(form, card, kind);
      render().then(sync);
    });
  }

  function afterQueued(form, card, kind) {
    if (kind === "arrive") {
      form.hidden = true;
      var pill = card.querySelector(".pill[class*='status-']");
      if (pill) { pill.textContent = T.on_site; pill.className = "pill status-on_site"; }
    }
    form.reset();
    var previews = form.querySelector("[data-previews]");
    if (previews) previews.innerHTML = "";
    var details = form.closest("details");
    if (details && kind !== "part_used") details.open = false;
  }

  // --- what is waiting, and what was not recorded ------------------------------------
  function label(item) {
    var what = T[item.kind] || item.kind;
    if (item.kind === "note" && item.data.text) what += ": " + item.data.text.slice(0, 60);
    if (item.kind === "part_used" && item.data.sku) what += ": " + item.data.sku + " × " + item.data.quantity;
    if (item.kind === "photo" && item.file && item.file.name) what += ": " + item.file.name;
    return what;
  }
  function time(iso) {
    var d = new Date(iso);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }
  function render() {
    return all().then(function (items) {
      document.querySelectorAll("[data-pending]").forEach(function (ul) { ul.innerHTML = ""; ul.hidden = true; });
      var list = problems.querySelector("ul");
      list.innerHTML = "";
      waiting = 0;
      items.forEach(function (item) {
        if (item.state === "queued") {
          waiting += 1;
          var card = document.querySelector('[data-job="' + item.job + '"] [data-pending]');
          if (card) {
            var li = document.createElement("li");
            li.setAttribute("data-key", item.key);
            li.textContent = time(item.device_at) + " · " + label(item) + " · " + T.queued;
            card.appendChild(li); card.hidden = false;
          }
          return;
        }
        var row = document.createElement("li");
        var art = document.querySelector('[data-job="' + item.job + '"]');
        var number = art ? art.getAttribute("data-number") : "#" + item.job;
        var text = document.createElement("span");
        text.textContent = number + " · " + time(item.device_at) + " · " + label(item) + ": " + (item.message || "");
        var button = document.createElement("button");
        button.type = "button"; button.className = "btn btn-tap"; button.textContent = T.dismiss;
        button.addEventListener("click", function () { remove(item.seq).then(render); });
        row.appendChild(text); row.appendChild(button);
        list.appendChild(row);
      });
      problems.hidden = !list.children.length;
      if (!navigator.onLine) say(T.offline + (waiting ? " " + T.waiting + " " + waiting : ""));
      else if (waiting) say(T.waiting + " " + waiting);
      return waiting;
    });
  }
  function say(text) { status.textContent = text; status.hidden = !text; }

  // --- sending: in order, at most one file per request --------------------------------
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function chunks(items) {
    var out = [], current = [];
    items.forEach(function (item) {
      if (item.file && current.some(function (i) { return i.file; })) { out.push(current); current = []; }
      current.push(item);
      if (current.length >= 50) { out.push(current); current = []; }
    });
    if (current.length) out.push(current);
    return out;
  }
  function send(batch) {
    var body = new FormData();
    body.append("batch", JSON.stringify({
      sent_at: new Date().toISOString(),
      actions: batch.map(function (i) {
        return { key: i.key, kind: i.kind, job: i.job, device_at: i.device_at, data: i.data, position: i.position || null };
      })
    }));
    batch.forEach(function (i) { if (i.file) body.append("file:" + i.key, i.file, i.file.name || "photo.jpg"); });
    return fetch(SYNC_URL, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json" }
    }).then(function (r) {
      if (r.status === 403) { say(T.login); throw new Error("login"); }
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (answer) {
      var bySeq = {};
      batch.forEach(function (i) { bySeq[i.key] = i; });
      return Promise.all(answer.results.map(function (res) {
        var item = bySeq[res.key];
        if (!item) return null;
        if (res.status === "applied" || res.status === "duplicate") return remove(item.seq);
        if (res.status === "later") return null;
        item.state = res.status;
        var errors = res.errors ? Object.keys(res.errors).map(function (k) { return res.errors[k].join(" "); }).join(" ") : "";
        item.message = (res.message || "") + (errors ? " " + errors : "");
        item.file = null; // nothing more to send
        return put(item);
      }));
    });
  }
  function sync() {
    if (syncing || !navigator.onLine) return render();
    syncing = true;
    return all().then(function (items) {
      var queued = items.filter(function (i) { return i.state === "queued"; });
      if (!queued.length) return null;
      say(T.syncing);
      return chunks(queued).reduce(function (p, batch) {
        return p.then(function () { return send(batch); });
      }, Promise.resolve()).then(function () { say(T.synced); });
    }).catch(function () { /* no signal or logged out: kept for the next try */ })
      .then(function () { syncing = false; return render(); })
      .then(function (waiting) { if (!waiting && status.textContent === T.synced) setTimeout(function () { if (status.textContent === T.synced) say(""); }, 4000); });
  }

  // --- photos: previews of the chosen files ------------------------------------------
  function previews(ev) {
    var input = ev.target;
    if (input.type !== "file") return;
    var box = input.form && input.form.querySelector("[data-previews]");
    if (!box) return;
    box.innerHTML = "";
    Array.prototype.forEach.call(input.files || [], function (f) {
      var img = document.createElement("img");
      img.alt = f.name; img.src = URL.createObjectURL(f);
      img.onload = function () { URL.revokeObjectURL(img.src); };
      box.appendChild(img);
    });
  }

  // --- scanning a part's SKU or serial with the camera (where BarcodeDetector is) ------
  function addScanButtons() {
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
    document.querySelectorAll('[data-job] input[name$="-part"], [data-job] input[name$="-lots"]').forEach(function (input) {
      if (input.getAttribute("data-scan")) return;
      input.setAttribute("data-scan", "1");
      var b = document.createElement("button");
      b.type = "button"; b.className = "btn btn-tap field-scan"; b.textContent = T.scan;
      b.addEventListener("click", function () { scanInto(input); });
      input.insertAdjacentElement("afterend", b);
    });
  }
  function scanInto(input) {
    var detector = new window.BarcodeDetector();
    var overlay = document.createElement("div");
    overlay.className = "field-scanner";
    var video = document.createElement("video");
    video.setAttribute("playsinline", ""); video.muted = true;
    var close = document.createElement("button");
    close.type = "button"; close.className = "btn btn-tap"; close.textContent = T.close;
    overlay.appendChild(video); overlay.appendChild(close);
    document.body.appendChild(overlay);
    var stream = null, stopped = false;
    function stop() {
      stopped = true;
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      overlay.remove();
    }
    close.addEventListener("click", stop);
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      stream = s; video.srcObject = s; return video.play();
    }).then(function loop() {
      if (stopped) return null;
      return detector.detect(video).then(function (codes) {
        if (codes.length) {
          var value = codes[0].rawValue;
          input.value = input.name.slice(-5) === "-lots" && input.value ? input.value + " " + value : value;
          input.dispatchEvent(new Event("change", { bubbles: true }));
          stop();
          return null;
        }
        return new Promise(function (r) { setTimeout(r, 250); }).then(loop);
      });
    }).catch(stop);
  }

  // --- the service worker keeps the pages, each job's page and its photos -------------
  function warm() {
    if (!navigator.onLine) return;
    fetch(JOBS_URL, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        localStorage.setItem("field.maxAccuracy", String(data.max_accuracy_m));
        var urls = data.jobs.map(function (j) { return j.url; }).concat(data.photos);
        navigator.serviceWorker.ready.then(function (reg) {
          if (reg.active) reg.active.postMessage({ type: "warm", urls: urls });
        });
      }).catch(function () {});
  }
  if ("serviceWorker" in navigator && SW_URL) {
    navigator.serviceWorker.register(SW_URL, { scope: "/incidents/" }).then(warm).catch(function () {});
  }

  document.addEventListener("submit", onSubmit, true);
  document.addEventListener("change", previews);
  document.addEventListener("htmx:afterSwap", addScanButtons);
  window.addEventListener("online", sync);
  window.addEventListener("offline", render);
  setInterval(sync, 30000);
  startPosition();
  addScanButtons();
  sync();
})();

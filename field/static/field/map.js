/* The dispatcher's map (field/views.py map_page): Leaflet, vendored; the tiles from
   MAP_TILE_URL, or none (a blank background) where it is not set. Data for the viewport
   from field:map_data, as compact arrays (field/map.py). */
(function () {
  "use strict";
  var el = document.getElementById("field-map");
  if (!el || !window.L) return;
  var L = window.L;
  var tiles = el.getAttribute("data-tiles");
  var map = L.map(el, { preferCanvas: true, zoomControl: false, attributionControl: !!tiles }).setView([34.5, 108.9], 4);
  L.control.zoom({ zoomInTitle: el.getAttribute("data-label-zoom-in"), zoomOutTitle: el.getAttribute("data-label-zoom-out") }).addTo(map);
  if (tiles) L.tileLayer(tiles, { attribution: el.getAttribute("data-attribution") || "", maxZoom: 18, subdomains: "1234" }).addTo(map);
  var layer = L.layerGroup().addTo(map);
  var incidentUrl = el.getAttribute("data-incident-url");
  var COLORS = { I: "#b91c1c", II: "#d97706", III: "#2563eb" };
  var pending = null;
  var fitted = false;

  function text(tag, value) { var n = document.createElement(tag); n.textContent = value; return n; }
  function incidentPopup(id) {
    var box = document.createElement("div");
    var a = text("a", el.getAttribute("data-label-open") + " #" + id);
    a.href = incidentUrl.replace("/0/", "/" + id + "/");
    box.appendChild(a);
    return box;
  }
  function draw(data) {
    layer.clearLayers();
    (data.cells || []).forEach(function (c) {
      var r = Math.min(28, 8 + Math.sqrt(c[2]) * 1.5);
      var m = L.circleMarker([c[0], c[1]], { radius: r, color: COLORS[c[3]] || "#555", weight: 2, fillOpacity: 0.35 });
      m.bindTooltip(String(c[2]) + " " + el.getAttribute("data-label-incidents"), { permanent: c[2] > 1, direction: "center", className: "field-count" });
      m.on("click", function () { map.setView([c[0], c[1]], Math.min(map.getZoom() + 2, 18)); });
      m.addTo(layer);
    });
    (data.points || []).forEach(function (p) {
      L.circleMarker([p[1], p[2]], { radius: 7, color: COLORS[p[3]] || "#555", weight: 2, fillOpacity: 0.7 })
        .bindPopup(incidentPopup(p[0])).addTo(layer);
    });
    (data.technicians || []).forEach(function (t) {
      var box = document.createElement("div");
      box.appendChild(text("strong", t[1]));
      box.appendChild(document.createElement("br"));
      box.appendChild(text("span", el.getAttribute("data-label-seen") + " " + new Date(t[4]).toLocaleString()));
      L.circleMarker([t[2], t[3]], { radius: 8, color: "#047857", weight: 3, fillColor: "#10b981", fillOpacity: 0.9 })
        .bindPopup(box).addTo(layer);
    });
  }
  function load() {
    if (pending) pending.abort();
    pending = new AbortController();
    var url = el.getAttribute("data-url") + "?zoom=" + map.getZoom() + "&bbox=" + map.getBounds().toBBoxString();
    fetch(url, { credentials: "same-origin", signal: pending.signal })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        el.setAttribute("data-loaded", "1");
        draw(data);
        // The first time: show where the incidents and technicians are, not all of Asia.
        var bounds = layer.getLayers().length ? L.featureGroup(layer.getLayers()).getBounds() : null;
        if (!fitted && bounds && bounds.isValid()) { fitted = true; map.fitBounds(bounds.pad(0.2), { maxZoom: 12 }); }
      })
      .catch(function () {});
  }
  map.on("moveend", load);
  load();
})();

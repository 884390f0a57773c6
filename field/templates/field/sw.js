/* The offline app's service worker (field/views.py serves it with its scope over
   /incidents/). Pages: from the network, kept for when there is no signal. Static files
   and photos: kept, from the cache first. Actions never pass through here: jobs.js queues
   them in IndexedDB and sends them to the sync endpoint. */
"use strict";
var VERSION = "field-{{ version }}";
var SHELL = {{ shell_json|safe }};
var PAGES = /^\/incidents\/(mine\/|\d+\/)$/;
var PHOTOS = /^\/incidents\/\d+\/photos\/\d+\/$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(VERSION).then(function (cache) {
    return cache.addAll(SHELL).catch(function () { /* the first visit may be flaky */ });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("field-") === 0 && k !== VERSION; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(request, response) {
  if (response && response.ok && response.type === "basic") {
    var copy = response.clone();
    caches.open(VERSION).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PAGES.test(url.pathname) && !url.search) {
    event.respondWith(fetch(request).then(function (r) { return keep(request, r); }).catch(function () {
      return caches.match(request, { ignoreVary: true }).then(function (hit) {
        return hit || caches.match(SHELL[0]);
      });
    }));
    return;
  }
  if (url.pathname.indexOf("{{ static_prefix }}") === 0 || PHOTOS.test(url.pathname)) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (r) { return keep(request, r); });
    }));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "warm" || !Array.isArray(data.urls)) return;
  event.waitUntil(caches.open(VERSION).then(function (cache) {
    return Promise.all(data.urls.map(function (u) {
      return fetch(u, { credentials: "same-origin" }).then(function (r) {
        if (r.ok) return cache.put(u, r);
        return null;
      }).catch(function () { return null; });
    }));
  }));
});

// The capture app's service worker: keeps the app shell (page, scripts, styles, map
// library) so that the app opens without network. Findings are not handled here: the
// page keeps them in IndexedDB and sends them itself.
"use strict";
var CACHE = "trygg-capture-{{ version }}";
var SHELL = "{{ shell|escapejs }}";
var ASSETS = [{% for a in assets %}"{{ a|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
var CAPTURE_API = "/api/v1/walks/capture";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(ASSETS).then(function () {
        return fetch(SHELL, { credentials: "same-origin" }).then(function (r) {
          if (r.ok && !r.redirected) { return cache.put(SHELL, r); }
        }).catch(function () {});
      });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf("trygg-capture-") === 0 && k !== CACHE; })
        .map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function networkFirst(request, key) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key || request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(key || request).then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname === SHELL) { event.respondWith(networkFirst(request, SHELL)); return; }
  if (url.pathname === CAPTURE_API) { event.respondWith(networkFirst(request, CAPTURE_API)); return; }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  }
});

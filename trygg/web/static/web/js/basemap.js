// The one Leaflet map setup every map in Trygg starts from: zoom buttons with translated
// titles, the background tiles and their attribution, the first view (the page's extent,
// else a fallback). Configuration from data-* attributes on the map element (no inline
// script). Loaded after leaflet.js and before the page's own map script.
(function () {
  "use strict";

  // Leaflet guesses its marker images' folder from the CSS, and on some pages guessed the
  // page's own path (/rapportera/marker-icon-2x.png: 404, a broken pin). Say it instead:
  // the vendored images beside this script's static folder.
  var script = document.currentScript;
  if (script && script.src) {
    L.Icon.Default.imagePath = script.src.replace(/web\/js\/basemap[^/]*\.js.*$/, "vendor/leaflet/images/");
  }

  function create(el, options) {
    options = options || {};
    var d = el.dataset;
    var map = L.map(el, { zoomControl: false, maxZoom: 19, keyboard: true });
    el.leafletMap = map; // for tests and other components on the page
    L.control.zoom({
      zoomInTitle: d.labelZoomIn || "Zoom in",
      zoomOutTitle: d.labelZoomOut || "Zoom out",
    }).addTo(map);
    map.attributionControl.setPrefix(false);
    if (d.tileUrl) {
      L.tileLayer(d.tileUrl, { maxZoom: 19, attribution: d.tileAttribution || "" }).addTo(map);
    }
    var padding = options.padding || [12, 12];
    if (d.extent) {
      var e = d.extent.split(",").map(Number);
      map.fitBounds([[e[0], e[1]], [e[2], e[3]]], { padding: padding });
    } else {
      var fallback = options.fallback || { center: [62.0, 15.0], zoom: 4 }; // Sweden
      map.setView(fallback.center, fallback.zoom);
    }
    return map;
  }

  // Text from data (an area's or a category's name) goes into tooltips and popups as
  // text, never as HTML: Leaflet sets a string as innerHTML.
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  window.TryggMap = { create: create, text: text };
})();

// The analysis map: hot/cold cells (Gi*), density (KDE), emerging hotspots and raised
// near-repeat zones, from one JSON request. Config from data-* attributes.
(function () {
  "use strict";
  var hotColours = { 3: "#b2182b", 2: "#ef8a62", 1: "#fddbc7", "-1": "#d1e5f0", "-2": "#67a9cf", "-3": "#2166ac" };
  var densityColours = ["#ffffff", "#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  var emergingColours = { new: "#7b3294", consecutive: "#c2a5cf", intensifying: "#b2182b",
    persistent: "#ef8a62", diminishing: "#fddbc7", sporadic: "#f4a582", oscillating: "#92c5de",
    historical: "#bababa" };

  function init(el) {
    var d = el.dataset;
    var map = TryggMap.create(el);
    Promise.all([fetch(d.areasUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }),
                 fetch(d.layersUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })])
      .then(function (res) {
        var areas = res[0], layers = res[1];
        L.geoJSON(areas, { style: { color: "#12355b", weight: 1.5, fill: false } }).addTo(map);
        var hot = L.geoJSON(layers.hotspots, {
          style: function (f) { return { stroke: false, fillColor: hotColours[f.properties["class"]], fillOpacity: 0.75 }; },
          onEachFeature: function (f, layer) {
            var c = f.properties["class"];
            layer.bindTooltip(TryggMap.text((c > 0 ? "+" : "") + f.properties.z + " z, " + [90, 95, 99][Math.abs(c) - 1] + " % " + d.labelConfidence));
          },
        }).addTo(map);
        var density = L.geoJSON(layers.density, {
          style: function (f) { return { stroke: false, fillColor: densityColours[f.properties.level], fillOpacity: 0.6 }; },
          onEachFeature: function (f, layer) { layer.bindTooltip(TryggMap.text(f.properties.per_km2 + " " + d.labelPerKm2)); },
        });
        var emerging = L.geoJSON(layers.emerging, {
          style: function (f) { return { stroke: false, fillColor: emergingColours[f.properties.pattern] || "#999", fillOpacity: 0.75 }; },
          onEachFeature: function (f, layer) { layer.bindTooltip(TryggMap.text(f.properties.pattern + (f.properties.sign < 0 ? " (cold)" : ""))); },
        });
        var zones = L.layerGroup((layers.near_repeat_zones ? layers.near_repeat_zones.features : []).map(function (f) {
          var c = f.geometry.coordinates;
          return L.circle([c[1], c[0]], { radius: f.properties.radius_m, color: "#7b3294", weight: 1, fillOpacity: 0.15 });
        }));
        var overlays = {};
        overlays[d.labelHot] = hot;
        overlays[d.labelDensity] = density;
        overlays[d.labelEmerging] = emerging;
        overlays[d.labelZones] = zones;
        L.control.layers(null, overlays, { collapsed: false }).addTo(map);
        el.setAttribute("data-loaded", String(layers.hotspots.features.length));
      })
      .catch(function (err) { el.setAttribute("data-error", String(err)); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-analysis-map]").forEach(init);
  });
})();

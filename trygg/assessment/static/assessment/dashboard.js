// The lägesbild map: areas shaded by incident count (choropleth) and incidents with a
// known position as clustered points. Config from data-* attributes (no inline script).
(function () {
  "use strict";
  var ramp = ["#f1f5fa", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];

  function colour(value, max) {
    if (!value || !max) { return ramp[0]; }
    return ramp[Math.min(ramp.length - 1, 1 + Math.floor((ramp.length - 1) * value / (max + 1)))];
  }

  // The legend: what each shade means (count ranges from the same rule as colour()),
  // and the incident points.
  function legend(map, max, d) {
    var rows = [[ramp[0], "0 " + d.labelIncidents]];
    var n = ramp.length - 1;
    for (var i = 1; i <= n; i += 1) {
      var low = Math.max(1, Math.ceil((i - 1) * (max + 1) / n));
      var high = Math.ceil(i * (max + 1) / n) - 1;
      if (high < low) { continue; }
      rows.push([ramp[i], (low === high ? String(low) : low + "–" + high) + " " + d.labelIncidents]);
    }
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend");
      var title = L.DomUtil.create("div", "map-legend__title", box);
      title.textContent = d.labelLayerAreas;
      rows.forEach(function (r) {
        var row = L.DomUtil.create("div", "map-legend__row", box);
        var swatch = L.DomUtil.create("span", "map-legend__swatch", row);
        swatch.style.background = r[0];
        row.appendChild(document.createTextNode(r[1]));
      });
      if (d.legendHot3) {  // the Gi* layer's confidence classes (colours as hotspotStyle)
        var hot = L.DomUtil.create("div", "map-legend__title", box);
        hot.textContent = d.labelLayerHot;
        [["#b2182b", d.legendHot3], ["#ef8a62", d.legendHot2], ["#fddbc7", d.legendHot1],
         ["#2166ac", d.legendCold3]].forEach(function (r) {
          var row = L.DomUtil.create("div", "map-legend__row", box);
          var swatch = L.DomUtil.create("span", "map-legend__swatch map-legend__swatch--cell", row);
          swatch.style.background = r[0];
          row.appendChild(document.createTextNode(r[1]));
        });
      }
      var points = L.DomUtil.create("div", "map-legend__row", box);
      var dot = L.DomUtil.create("span", "map-legend__dot map-legend__dot--incident", points);
      dot.setAttribute("aria-hidden", "true");
      points.appendChild(document.createTextNode(d.labelLayerPoints));
      return box;
    };
    control.addTo(map);
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  function init(el) {
    var d = el.dataset;
    var map = TryggMap.create(el);
    Promise.all([getJSON(d.areasUrl), getJSON(d.dataUrl)]).then(function (results) {
      var areas = results[0], data = results[1];
      var max = 0;
      Object.keys(data.areas).forEach(function (k) { max = Math.max(max, data.areas[k].count); });
      legend(map, max, d);
      var areaLayer = L.geoJSON(areas, {
        style: function (feature) {
          var fig = data.areas[String(feature.properties.id)] || { count: 0 };
          return { color: "#12355b", weight: 1.5, fillColor: colour(fig.count, max), fillOpacity: 0.65 };
        },
        onEachFeature: function (feature, layer) {
          var fig = data.areas[String(feature.properties.id)] || { count: 0, rate: null };
          var text = feature.properties.name + ": " + fig.count + " " + d.labelIncidents;
          if (fig.rate !== null && fig.rate !== undefined) { text += " (" + fig.rate + " " + d.labelPer1000 + ")"; }
          layer.bindTooltip(TryggMap.text(text), { sticky: true });
        },
      }).addTo(map);
      var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
      data.points.features.forEach(function (f) {
        var c = f.geometry.coordinates;
        var marker = L.circleMarker([c[1], c[0]], { radius: 5, color: "#8a1538", weight: 1, fillOpacity: 0.8 });
        marker.bindPopup(TryggMap.text(f.properties.label + ", " + f.properties.date));
        cluster.addLayer(marker);
      });
      cluster.addTo(map);
      var overlays = {};
      overlays[d.labelLayerAreas] = areaLayer;
      overlays[d.labelLayerPoints] = cluster;
      // Hotspot (Gi*) and density (KDE) layers, computed when first switched on.
      var hot = L.geoJSON(null, {
        style: function (f) {
          var c = f.properties["class"];
          var colours = { 3: "#b2182b", 2: "#ef8a62", 1: "#fddbc7", "-1": "#d1e5f0", "-2": "#67a9cf", "-3": "#2166ac" };
          return { stroke: false, fillColor: colours[c], fillOpacity: 0.75 };
        },
      });
      var density = L.geoJSON(null, {
        style: function (f) {
          var colours = ["#ffffff", "#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
          return { stroke: false, fillColor: colours[f.properties.level], fillOpacity: 0.6 };
        },
      });
      var analysisLoaded = null;
      function loadAnalysis() {
        if (!analysisLoaded) {
          analysisLoaded = getJSON(d.analysisUrl).then(function (layers) {
            hot.addData(layers.hotspots);
            density.addData(layers.density);
            el.setAttribute("data-analysis-loaded", String(layers.hotspots.features.length));
          });
        }
      }
      map.on("overlayadd", function (e) { if (e.layer === hot || e.layer === density) { loadAnalysis(); } });
      overlays[d.labelLayerHot] = hot;
      overlays[d.labelLayerDensity] = density;
      L.control.layers(null, overlays, { collapsed: false }).addTo(map);
      el.setAttribute("data-loaded", String(data.points.features.length));
    }).catch(function (err) { el.setAttribute("data-error", String(err)); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-assessment-map]").forEach(init);
  });
})();

// The area map: Leaflet (vendored), the municipality's areas from GeoJSON.
// Configuration comes from data-* attributes on the map element (no inline script).
(function () {
  "use strict";

  var palette = ["#1f5f8b", "#8a3b12", "#2e6b30", "#6b2e6b", "#7a5c00", "#005f5f", "#8b1f3f"];

  function initMap(el) {
    var map = TryggMap.create(el);
    fetch(el.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var i = 0;
        var layer = L.geoJSON(data, {
          style: function () {
            var colour = palette[i++ % palette.length];
            return { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.18 };
          },
          onEachFeature: function (feature, featureLayer) {
            featureLayer.bindTooltip(TryggMap.text(feature.properties.name), {
              permanent: true, direction: "center", className: "area-label",
            });
          },
        }).addTo(map);
        if (!el.dataset.extent && layer.getLayers().length) {
          map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        }
        el.setAttribute("data-loaded", String(layer.getLayers().length));
      })
      .catch(function (err) {
        el.setAttribute("data-error", String(err));
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-area-map]").forEach(initMap);
  });
})();

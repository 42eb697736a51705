// Maps for places: pick a position (public report, staff case, walk finding), show
// points (cases, findings), draw a route (safety walk). Leaflet (vendored); all
// configuration from data-* attributes, no inline script (CSP).
(function () {
  "use strict";

  function baseMap(el) {
    var map = TryggMap.create(el, {
      padding: [8, 8], fallback: { center: [59.53, 17.64], zoom: 12 },
    });
    if (el.dataset.areasUrl) {
      fetch(el.dataset.areasUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          L.geoJSON(data, {
            interactive: false,
            style: function () { return { color: "#1f5f8b", weight: 1.5, fillOpacity: 0.04 }; },
          }).addTo(map);
        })
        .catch(function () {});
    }
    return map;
  }

  function format(n) { return n.toFixed(5); }

  // --- Pick a position: the place is the map's centre (move the map, click, or use
  // the device's position); the chosen position is written into two inputs.
  function initPick(el) {
    var map = baseMap(el);
    var lat = document.getElementById(el.dataset.latInput);
    var lon = document.getElementById(el.dataset.lonInput);
    var status = document.getElementById(el.dataset.statusId);
    var marker = null;
    function set(latlng, announce) {
      lat.value = format(latlng.lat);
      lon.value = format(latlng.lng);
      if (!marker) {
        marker = L.marker(latlng, { keyboard: false, title: el.dataset.labelPlace || "" }).addTo(map);
      } else {
        marker.setLatLng(latlng);
      }
      el.setAttribute("data-picked", "true");
      if (status && announce) {
        status.textContent = (el.dataset.labelChosen || "Chosen place:") + " " + lat.value + ", " + lon.value;
      }
      lat.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (lat.value && lon.value) {
      var start = L.latLng(Number(lat.value), Number(lon.value));
      map.setView(start, 17);
      set(start, true);
    }
    var userMoved = false;
    map.on("click", function (ev) { userMoved = false; map.panTo(ev.latlng); set(ev.latlng, true); });
    map.on("dragstart keydown", function () { userMoved = true; });
    el.addEventListener("keydown", function () { userMoved = true; });
    map.on("moveend", function () { if (userMoved) { set(map.getCenter(), true); userMoved = false; } });
    var locate = document.getElementById(el.dataset.locateButton || "");
    if (locate) {
      if (!navigator.geolocation) { locate.hidden = true; }
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (pos) {
          var ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
          map.setView(ll, 18);
          set(ll, true);
        }, function () {
          if (status) { status.textContent = el.dataset.labelNoPosition || "No position."; }
        }, { enableHighAccuracy: true, timeout: 10000 });
      });
    }
    el.pickAt = function (la, lo) { var ll = L.latLng(la, lo); map.setView(ll, 17); set(ll, true); };
  }

  // --- Points from GeoJSON: open ones orange, closed ones green, with a link each.
  function addPoints(map, url, fit) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            var p = feature.properties;
            if (p.number) {  // a walk's findings: numbered as in the protocol
              var kind = p.overdue ? "overdue" : (p.open ? "open" : "closed");  // CSS colours
              return L.marker(latlng, {
                icon: L.divIcon({
                  className: "numbered-marker numbered-marker--" + kind,
                  iconSize: [26, 26], iconAnchor: [13, 13],
                  html: "<span>" + Number(p.number) + "</span>",
                }),
                title: p.title, alt: p.title,
              });
            }
            if (p.kind === "event") {  // the serious event of a brief
              return L.circleMarker(latlng, {
                radius: 10, weight: 3, color: "#ffffff", fillColor: "#4a0d0b", fillOpacity: 1,
              });
            }
            var fill = p.kind === "report" || p.kind === "observation" ? "#12355b"  // a partner's report
              : p.kind === "serious" ? "#a3140f"
              : p.kind === "case" ? "#b35900"
              : (p.overdue ? "#a3140f" : (p.open ? "#b35900" : "#2e6b30"));
            return L.circleMarker(latlng, {
              radius: 7, weight: 2, color: "#ffffff", fillColor: fill, fillOpacity: 0.95,
            });
          },
          style: function (feature) {  // hotspot cells: the colours of the documents' maps
            if (feature.properties.kind === "zone") {  // a serious event's risk zone
              return { color: "#a3140f", weight: 2, dashArray: "6 4", fillColor: "#a3140f", fillOpacity: 0.12 };
            }
            var h = feature.properties.hotspot;
            if (!h) return {};
            var c = h === "new" ? "#b2182b" : "#ef8a62";
            return { color: c, weight: 1, fillColor: c, fillOpacity: 0.45 };
          },
          onEachFeature: function (feature, layer) {
            var p = feature.properties;
            var box = document.createElement("div");
            if (p.kind === "zone") return;
            if (p.url) {
              var a = document.createElement("a");
              a.href = p.url; a.textContent = p.title;
              box.appendChild(a);
            }
            var s = document.createElement("div"); s.textContent = p.status || p.label || ""; box.appendChild(s);
            layer.bindPopup(box);
          },
        }).addTo(map);
        if (fit && layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 16 }); }
        return layer;
      });
  }

  // --- A legend for the points' colours (labels from data-legend-*: translated by the page).
  function addLegend(map, el) {
    var rows = [["#a3140f", el.dataset.legendZone, "zone"], ["#4a0d0b", el.dataset.legendEvent], ["#a3140f", el.dataset.legendSerious],
                ["#6b2e6b", el.dataset.legendRoute, "line"], ["#b35900", el.dataset.legendOpen], ["#a3140f", el.dataset.legendOverdue],
                ["#2e6b30", el.dataset.legendClosed], ["#12355b", el.dataset.legendReport],
                ["#b2182b", el.dataset.legendHotNew, "square"],
                ["#ef8a62", el.dataset.legendHotPersistent, "square"]]
      .filter(function (r) { return r[1]; });
    if (!rows.length) return;
    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend");
      rows.forEach(function (r) {
        var row = L.DomUtil.create("div", "map-legend__row", box);
        var dot = L.DomUtil.create("span", "map-legend__dot" + (r[2] ? " map-legend__dot--" + r[2] : ""), row);
        dot.style.background = r[0];
        dot.setAttribute("aria-hidden", "true");
        row.appendChild(document.createTextNode(r[1]));
      });
      return box;
    };
    legend.addTo(map);
  }

  function initPoints(el) {
    var map = baseMap(el);
    addLegend(map, el);
    addPoints(map, el.dataset.pointsUrl, el.dataset.fit === "true")
      .then(function (layer) { el.setAttribute("data-loaded", String(layer.getLayers().length)); })
      .catch(function (err) { el.setAttribute("data-error", String(err)); });
  }

  // --- A walk's route: click to add points; stored as a GeoJSON LineString.
  function initRoute(el) {
    var map = baseMap(el);
    addLegend(map, el);
    var input = document.getElementById(el.dataset.routeInput);
    var coords = [];
    try {
      var g = JSON.parse(input.value || "null");
      if (g && g.type === "LineString") { coords = g.coordinates.map(function (c) { return [c[1], c[0]]; }); }
    } catch (e) { coords = []; }
    var line = L.polyline(coords, { color: "#6b2e6b", weight: 4 }).addTo(map);
    if (coords.length > 1) { map.fitBounds(line.getBounds(), { padding: [20, 20] }); }
    function save() {
      line.setLatLngs(coords);
      input.value = coords.length ? JSON.stringify({
        type: "LineString", coordinates: coords.map(function (c) { return [Number(c[1].toFixed(6)), Number(c[0].toFixed(6))]; }),
      }) : "";
      el.setAttribute("data-points", String(coords.length));
    }
    if (el.dataset.editable === "true") {
      map.on("click", function (ev) { coords.push([ev.latlng.lat, ev.latlng.lng]); save(); });
      var undo = document.getElementById(el.dataset.undoButton || "");
      var clear = document.getElementById(el.dataset.clearButton || "");
      if (undo) { undo.addEventListener("click", function () { coords.pop(); save(); }); }
      if (clear) { clear.addEventListener("click", function () { coords = []; save(); }); }
    }
    if (el.dataset.pointsUrl) { addPoints(map, el.dataset.pointsUrl, coords.length < 2).catch(function () {}); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-pick-map]").forEach(initPick);
    document.querySelectorAll("[data-points-map]").forEach(initPoints);
    document.querySelectorAll("[data-route-map]").forEach(initRoute);
  });
})();

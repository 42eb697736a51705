// The safety-walk capture app: works without network.
//
// A finding is saved on the phone first (IndexedDB, with its photos, in one
// transaction), then sent. Each finding and each photo gets its identifier here, when
// it is captured; the server stores each identifier once. Sending is retried until
// the server has confirmed every finding and photo — after a lost connection, a lost
// response, a reload, a restart — so nothing is lost and nothing is stored twice.
(function () {
  "use strict";

  var root, L_, store, state = { walks: [], categories: [], position: null, positionSource: null };
  var syncing = false;

  function t(name) { return root.dataset["l" + name.charAt(0).toUpperCase() + name.slice(1)] || name; }
  function $(id) { return document.getElementById(id); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // --- Personal data: the same kinds the server refuses (it masks what slips through).
  function luhn(digits) {
    var sum = 0;
    for (var i = 0; i < digits.length; i++) {
      var n = Number(digits[i]) * (i % 2 === 0 ? 2 : 1);
      sum += n > 9 ? n - 9 : n;
    }
    return sum % 10 === 0;
  }
  function hasPersonalData(text) {
    var pin = /\b(?:19|20)?(\d{6})[-+ ]?(\d{4})\b/g, m;
    while ((m = pin.exec(text)) !== null) { if (luhn(m[1] + m[2])) { return true; } }
    if (/(?:\+46|0046|\b0)[\s-]*7[02369](?:[\s-]*\d){7}\b/.test(text)) { return true; }
    if (/\b0\d{1,3}[\s-]?\d{2,3}[\s-]?\d{2}[\s-]?\d{2}\b/.test(text)) { return true; }
    return /[^\s@]+@[^\s@]+\.[a-z]{2,}/i.test(text);
  }

  // --- Photos: downscaled here when large (a canvas re-encode also drops EXIF); small
  // ones go as they are and the server reads the position from them, then strips it.
  function preparePhoto(file) {
    var MAX = 1600;
    if (file.size <= 1500000) { return Promise.resolve(file); }
    return new Promise(function (resolve) {
      var img = new Image();
      var url = URL.createObjectURL(file);
      img.onload = function () {
        var scale = Math.min(1, MAX / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale);
        canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      img.src = url;
    });
  }

  // --- Walks and categories: from the server when online, else from the last copy.
  function loadCapture() {
    return fetch(root.dataset.captureUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (data) { return store.put("meta", { key: "capture", value: data }).then(function () { return data; }); })
      .catch(function () { return store.get("meta", "capture").then(function (m) { return m ? m.value : { walks: [], categories: [] }; }); });
  }

  function currentWalk() {
    var id = Number($("walk-select").value);
    return state.walks.filter(function (w) { return w.id === id; })[0];
  }

  function renderWalks() {
    var select = $("walk-select");
    select.innerHTML = "";
    if (!state.walks.length) {
      var o = document.createElement("option"); o.textContent = t("noWalks"); o.value = "";
      select.appendChild(o); select.disabled = true; return;
    }
    select.disabled = false;
    var remembered = localStorage.getItem("trygg-walk");
    var today = new Date().toISOString().slice(0, 10);
    state.walks.forEach(function (w) {
      var o = document.createElement("option");
      o.value = String(w.id);
      o.textContent = w.date + " " + w.start_time + " – " + w.title + " (" + w.area + ")";
      if (String(w.id) === remembered || (!remembered && w.date === today)) { o.selected = true; }
      select.appendChild(o);
    });
    renderChecklist();
  }

  function renderCategories() {
    var select = $("category");
    select.innerHTML = "";
    var empty = document.createElement("option"); empty.value = ""; empty.textContent = t("unset");
    select.appendChild(empty);
    state.categories.forEach(function (c) {
      var o = document.createElement("option"); o.value = String(c.id); o.textContent = c.label; select.appendChild(o);
    });
  }

  function renderChecklist() {
    var walk = currentWalk();
    var checks = $("checks"), scores = $("scores");
    checks.innerHTML = ""; scores.innerHTML = "";
    if (!walk) { return; }
    var lc = document.createElement("legend"); lc.textContent = t("checks"); checks.appendChild(lc);
    var ls = document.createElement("legend"); ls.textContent = t("scores"); scores.appendChild(ls);
    walk.items.forEach(function (item) {
      var id = "item-" + item.key;
      var wrap = document.createElement("div");
      if (item.kind === "check") {
        wrap.className = "choice";
        var box = document.createElement("input"); box.type = "checkbox"; box.id = id; box.value = item.key; box.name = "checks";
        var label = document.createElement("label"); label.htmlFor = id; label.textContent = item.label;
        wrap.appendChild(box); wrap.appendChild(label); checks.appendChild(wrap);
      } else {
        wrap.className = "score";
        var sl = document.createElement("label"); sl.htmlFor = id; sl.textContent = item.label;
        var sel = document.createElement("select"); sel.id = id; sel.name = "score"; sel.dataset.key = item.key;
        ["", "0", "1", "2", "3"].forEach(function (v) {
          var o = document.createElement("option"); o.value = v; o.textContent = v === "" ? t("unset") : v; sel.appendChild(o);
        });
        wrap.appendChild(sl); wrap.appendChild(sel); scores.appendChild(wrap);
      }
    });
    checks.hidden = !checks.querySelector("input");
    scores.hidden = !scores.querySelector("select");
    drawRoute();
  }

  // --- Position: the device's (GPS), or a tap on the map.
  var map = null, marker = null, routeLayer = null;
  function setPosition(lat, lon, source, accuracy) {
    state.position = { lat: lat, lon: lon, accuracy: accuracy };
    state.positionSource = source;
    var text = t("position") + " " + lat.toFixed(5) + ", " + lon.toFixed(5);
    if (accuracy) { text += " (" + t("accuracy") + " " + Math.round(accuracy) + " m)"; }
    $("position-status").textContent = text;
    if (map) {
      var ll = L_.latLng(lat, lon);
      // A drawn marker, not an image: nothing to fetch when offline.
      if (!marker) {
        marker = L_.circleMarker(ll, { radius: 9, weight: 3, color: "#ffffff", fillColor: "#b35900", fillOpacity: 1 }).addTo(map);
      } else { marker.setLatLng(ll); }
      map.setView(ll, Math.max(map.getZoom(), 17));
    }
  }
  function locate() {
    if (!navigator.geolocation) { return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      setPosition(pos.coords.latitude, pos.coords.longitude, "gps", pos.coords.accuracy);
    }, function () { $("position-status").textContent = t("noPosition"); },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  }
  function initMap() {
    L_ = window.L;
    if (!L_) { return; }
    map = L_.map("capture-map", { zoomControl: true, maxZoom: 19 }).setView([59.53, 17.64], 13);
    map.attributionControl.setPrefix(false);
    if (root.dataset.tileUrl) {
      L_.tileLayer(root.dataset.tileUrl, { maxZoom: 19, attribution: root.dataset.tileAttribution || "" }).addTo(map);
    }
    map.on("click", function (ev) { setPosition(ev.latlng.lat, ev.latlng.lng, "map", null); });
    root.captureMap = map;
  }
  function drawRoute() {
    var walk = currentWalk();
    if (!map) { return; }
    if (routeLayer) { map.removeLayer(routeLayer); routeLayer = null; }
    if (walk && walk.route && walk.route.coordinates && walk.route.coordinates.length > 1) {
      routeLayer = L_.polyline(walk.route.coordinates.map(function (c) { return [c[1], c[0]]; }), { color: "#6b2e6b", weight: 4 }).addTo(map);
      if (!state.position) { map.fitBounds(routeLayer.getBounds(), { padding: [16, 16] }); }
    } else if (walk && walk.area_bounds && !state.position) {
      var b = walk.area_bounds;
      map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: [8, 8] });
    }
  }

  // --- Saving on the phone.
  function showError(message) {
    var el = $("form-error"); el.textContent = message; el.hidden = !message;
    if (message) { $("form-saved").hidden = true; }
  }

  function saveFinding(event) {
    event.preventDefault();
    var walk = currentWalk();
    var category = $("category").value;
    var description = $("description").value.trim();
    if (!walk) { showError(t("noWalks")); return; }
    if (!state.position) { showError(t("needPosition")); return; }
    if (!category) { showError(t("needCategory")); $("category").focus(); return; }
    if (hasPersonalData(description)) { showError(t("personal")); $("description").focus(); return; }
    showError("");
    var checks = Array.prototype.map.call(document.querySelectorAll("#checks input:checked"), function (b) { return b.value; });
    var scores = {};
    document.querySelectorAll("#scores select").forEach(function (s) { if (s.value !== "") { scores[s.dataset.key] = Number(s.value); } });
    var files = Array.prototype.slice.call($("photos").files || []);
    var finding = {
      client_id: uuid(),
      walk_id: walk.id,
      status: "queued",
      created: new Date().toISOString(),
      category_label: $("category").selectedOptions[0].textContent,
      payload: {
        lat: state.position.lat, lon: state.position.lon, accuracy_m: state.position.accuracy || null,
        position_source: state.positionSource, category: Number(category), checks: checks, scores: scores,
        description: description, captured_at: new Date().toISOString(),
      },
      photo_ids: [],
    };
    Promise.all(files.map(preparePhoto)).then(function (blobs) {
      var photos = blobs.map(function (blob) {
        var p = { photo_id: uuid(), finding_id: finding.client_id, blob: blob, status: "queued" };
        finding.photo_ids.push(p.photo_id);
        return p;
      });
      return store.saveFinding(finding, photos);
    }).then(function () {
      $("finding-form").reset();
      renderChecklist();
      var saved = $("form-saved"); saved.textContent = t("saved"); saved.hidden = false;
      return render();
    }).then(sync);
  }

  // --- Sending: one finding at a time, then its photos; stop at the first network
  // failure and try again later. Only a confirmation from the server marks as sent.
  function csrf() { return root.dataset.csrf; }

  function sendFinding(f) {
    var url = root.dataset.findingUrl.replace("{walk}", f.walk_id).replace("{finding}", f.client_id);
    return fetch(url, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
      body: JSON.stringify(f.payload),
    });
  }
  function sendPhoto(f, p) {
    var body = new FormData();
    body.append("photo_id", p.photo_id);
    body.append("photo", p.blob, p.photo_id + ".jpg");
    return fetch(root.dataset.photoUrl.replace("{finding}", f.client_id), {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf(), Accept: "application/json" }, body: body,
    });
  }

  function handle(response, onOk) {
    if (response.ok) { return response.json().then(onOk); }
    if (response.status === 401 || response.status === 403) { state.authNeeded = true; throw new Error("auth"); }
    if (response.status >= 500 || response.status === 429 || response.status === 408) { throw new Error("retry"); }
    return response.json().catch(function () { return {}; }).then(function (body) {
      return { permanentError: body.detail || ("HTTP " + response.status) };
    });
  }

  function syncOne(f) {
    var step = f.status === "queued" ? sendFinding(f).then(function (r) {
      return handle(r, function (body) { f.status = "received"; f.case_id = body.case; return store.put("findings", f); });
    }) : Promise.resolve();
    return step.then(function (result) {
      if (result && result.permanentError) { f.status = "error"; f.error = result.permanentError; return store.put("findings", f); }
      if (f.status !== "received") { return null; }
      return store.byIndex("photos", "finding_id", f.client_id).then(function (photos) {
        var chain = Promise.resolve();
        photos.filter(function (p) { return p.status !== "sent"; }).forEach(function (p) {
          chain = chain.then(function () {
            return sendPhoto(f, p).then(function (r) {
              return handle(r, function () { p.status = "sent"; p.blob = null; return store.put("photos", p); });
            }).then(function (res) {
              if (res && res.permanentError) { p.status = "sent"; p.error = res.permanentError; p.blob = null; return store.put("photos", p); }
              return null;
            });
          });
        });
        return chain.then(function () { f.status = "sent"; return store.put("findings", f); });
      });
    });
  }

  function sync() {
    if (syncing) { return Promise.resolve(); }
    syncing = true;
    state.authNeeded = false;
    return store.all("findings").then(function (findings) {
      var pending = findings.filter(function (f) { return f.status === "queued" || f.status === "received"; })
        .sort(function (a, b) { return a.created < b.created ? -1 : 1; });
      var chain = Promise.resolve();
      pending.forEach(function (f) { chain = chain.then(function () { return syncOne(f); }); });
      return chain;
    }).catch(function () { /* offline or server unavailable: kept, retried later */ })
      .then(function () { syncing = false; return render(); });
  }

  // --- What is on this phone.
  function render() {
    return store.all("findings").then(function (findings) {
      var waiting = findings.filter(function (f) { return f.status === "queued" || f.status === "received"; }).length;
      $("queue-state").textContent = waiting ? "· " + waiting + " " + t("waiting") : "";
      $("net-state").textContent = navigator.onLine ? t("online") : t("offline");
      root.classList.toggle("is-offline", !navigator.onLine);
      root.setAttribute("data-waiting", String(waiting));
      if (state.authNeeded) {
        $("queue-state").textContent += " · " + t("login");
      }
      var list = $("local-findings");
      list.innerHTML = "";
      findings.sort(function (a, b) { return a.created < b.created ? 1 : -1; }).slice(0, 50).forEach(function (f) {
        var li = document.createElement("li");
        li.className = "local-finding local-finding--" + f.status;
        li.dataset.clientId = f.client_id;
        var label = f.status === "sent" ? t("sent") : (f.status === "error" ? t("error") + ": " + (f.error || "") : t("queued"));
        li.textContent = f.created.slice(0, 16).replace("T", " ") + " · " + f.category_label +
          (f.photo_ids.length ? " · " + f.photo_ids.length + " " + t(f.photo_ids.length === 1 ? "photo" : "photos") : "") + " · " + label +
          (f.case_id ? " · " + t("case") + " #" + f.case_id : "");
        list.appendChild(li);
      });
    });
  }

  function init() {
    root = $("capture");
    if (!root || !window.TryggStore) { return; }
    store = window.TryggStore;
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.swScope })
        .then(function () { root.setAttribute("data-sw", "registered"); })
        .catch(function (err) { root.setAttribute("data-sw", "failed: " + err); });
    }
    initMap();
    $("finding-form").addEventListener("submit", saveFinding);
    $("use-position").addEventListener("click", locate);
    $("walk-select").addEventListener("change", function () { localStorage.setItem("trygg-walk", $("walk-select").value); renderChecklist(); });
    $("sync-now").addEventListener("click", sync);
    window.addEventListener("online", function () { render(); sync(); });
    window.addEventListener("offline", render);
    setInterval(function () { if (navigator.onLine) { sync(); } }, 10000);
    loadCapture().then(function (data) {
      state.walks = data.walks || []; state.categories = data.categories || [];
      renderCategories(); renderWalks();
      root.setAttribute("data-ready", "true");
      return render();
    }).then(sync);
    locate();
  }

  document.addEventListener("DOMContentLoaded", init);
})();

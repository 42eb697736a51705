// A small promise wrapper around IndexedDB for the capture app's local queue.
// Stores: "findings" (key client_id), "photos" (key photo_id), "meta" (key key).
(function () {
  "use strict";
  var DB_NAME = "trygg-capture";
  var VERSION = 1;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("findings")) {
          var f = db.createObjectStore("findings", { keyPath: "client_id" });
          f.createIndex("walk_id", "walk_id");
        }
        if (!db.objectStoreNames.contains("photos")) {
          var p = db.createObjectStore("photos", { keyPath: "photo_id" });
          p.createIndex("finding_id", "finding_id");
        }
        if (!db.objectStoreNames.contains("meta")) {
          db.createObjectStore("meta", { keyPath: "key" });
        }
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  var dbPromise = null;
  function db() { dbPromise = dbPromise || open(); return dbPromise; }

  function run(storeNames, mode, work) {
    return db().then(function (database) {
      return new Promise(function (resolve, reject) {
        var tx = database.transaction(storeNames, mode);
        var result;
        Promise.resolve(work(tx)).then(function (r) { result = r; });
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function req(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }

  window.TryggStore = {
    put: function (store, value) {
      return run([store], "readwrite", function (tx) { return req(tx.objectStore(store).put(value)); });
    },
    get: function (store, key) {
      return run([store], "readonly", function (tx) { return req(tx.objectStore(store).get(key)); });
    },
    all: function (store) {
      return run([store], "readonly", function (tx) { return req(tx.objectStore(store).getAll()); });
    },
    byIndex: function (store, index, value) {
      return run([store], "readonly", function (tx) {
        return req(tx.objectStore(store).index(index).getAll(value));
      });
    },
    // A finding and its photos in one transaction: either all are kept or none.
    saveFinding: function (finding, photos) {
      return run(["findings", "photos"], "readwrite", function (tx) {
        tx.objectStore("findings").put(finding);
        photos.forEach(function (p) { tx.objectStore("photos").put(p); });
      });
    },
  };
})();

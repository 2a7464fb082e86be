// The live feedback window: its counts and words are fetched again every few seconds and
// put in place without reloading the page (no framework; the CSP forbids inline scripts).
// The fragment comes from the console itself, rendered and escaped on the server; it is
// parsed with DOMParser and its nodes moved in, so nothing in it runs.
(function () {
  "use strict";

  function refreshLive(box) {
    var url = box.getAttribute("data-live-url");
    var seconds = parseInt(box.getAttribute("data-refresh"), 10) || 0;
    if (!url || seconds <= 0) { return; }
    var busy = false;
    function tick() {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.text();
        })
        .then(function (html) {
          var parsed = new DOMParser().parseFromString(html, "text/html");
          var fresh = document.createDocumentFragment();
          Array.prototype.slice.call(parsed.body.childNodes).forEach(function (node) {
            fresh.appendChild(document.adoptNode(node));
          });
          while (box.firstChild) { box.removeChild(box.firstChild); }
          box.appendChild(fresh);
          box.setAttribute("data-updated", String(Date.now()));
        })
        .catch(function () { box.setAttribute("data-stale", "1"); })
        .then(function () { busy = false; });
    }
    window.setInterval(tick, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("live");
    if (box) { refreshLive(box); }
  });
}());

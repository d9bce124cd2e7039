// The live counts of an open round refresh in place: every data-refresh seconds the page is fetched again and
// only the counts' block is swapped (no full reload: the organizer's scroll, filter and focus stay). A hidden
// tab waits until it is shown; a failed fetch keeps the last figures and tries again at the next tick.
(function () {
  "use strict";
  var block = document.getElementById("live-counts");
  if (!block || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(block.getAttribute("data-refresh"), 10) || 15;
  function refresh() {
    if (document.hidden) {
      document.addEventListener("visibilitychange", function shown() {
        document.removeEventListener("visibilitychange", shown);
        refresh();
      });
      return;
    }
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live-counts");
        if (fresh) { block.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* keep the last figures */ })
      .then(function () { window.setTimeout(refresh, seconds * 1000); });
  }
  window.setTimeout(refresh, seconds * 1000);
})();

// The big screen on the square reloads itself every data-refresh seconds (its figures come cached from the
// server, so this costs almost nothing); a hidden tab waits until it is shown again.
(function () {
  "use strict";
  var seconds = parseInt(document.body.getAttribute("data-refresh"), 10) || 15;
  function tick() {
    if (document.hidden) {
      document.addEventListener("visibilitychange", function shown() {
        document.removeEventListener("visibilitychange", shown);
        window.location.reload();
      });
      return;
    }
    window.location.reload();
  }
  window.setTimeout(tick, seconds * 1000);
})();

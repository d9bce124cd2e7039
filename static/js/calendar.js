// The calendar's filters sit in a <details> so a phone shows the calendar first; on wider screens there is
// room for them, so open it. Without JavaScript the summary still opens and closes it.
(function () {
  var box = document.querySelector("details.cal-filter-box");
  if (!box || !window.matchMedia) return;
  if (window.matchMedia("(min-width: 40rem)").matches) box.open = true;
})();

// The menu is a <details> so it works without JavaScript; on wide screens keep it open.
(function () {
  var menu = document.querySelector("details.menu");
  if (!menu || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 64rem)");
  function sync() { if (wide.matches) menu.open = true; }
  sync();
  wide.addEventListener("change", sync);
})();

// A "back" link marked data-back goes to the page the person came from when that page is on this site (the
// calendar on another day, a plan, the home page); otherwise it keeps its own address. Nothing is redirected.
(function () {
  var links = document.querySelectorAll("a[data-back]");
  if (!links.length || !document.referrer) return;
  var from;
  try { from = new URL(document.referrer); } catch (e) { return; }
  if (from.origin !== location.origin || from.pathname === location.pathname) return;
  for (var i = 0; i < links.length; i++) links[i].href = from.pathname + from.search;
})();

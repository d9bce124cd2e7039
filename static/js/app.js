// The menu is a <details> so it works without JavaScript; on wide screens keep it open.
(function () {
  var menu = document.querySelector("details.menu");
  if (!menu || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 64rem)");
  function sync() { if (wide.matches) menu.open = true; }
  sync();
  wide.addEventListener("change", sync);
})();

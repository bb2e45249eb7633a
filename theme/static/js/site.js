/* Light/dark toggle. Loaded (blocking, ~1 KB) in <head> so a stored choice applies before
 * the first paint. Without JavaScript the page simply follows prefers-color-scheme and the
 * toggle stays hidden. The choice lives in localStorage["theme"] ("light" | "dark") and is
 * applied as <html data-theme="…">; a choice equal to the system's preference is forgotten,
 * so the page follows the system again. */
(function () {
  "use strict";
  var KEY = "theme";
  var root = document.documentElement;
  var system = window.matchMedia("(prefers-color-scheme: dark)");

  function stored() {
    try {
      var value = localStorage.getItem(KEY);
      return value === "light" || value === "dark" ? value : null;
    } catch (e) {
      return null; // storage disabled: follow the system
    }
  }

  function store(value) {
    try {
      if (value) localStorage.setItem(KEY, value);
      else localStorage.removeItem(KEY);
    } catch (e) { /* the choice lasts for this page only */ }
  }

  function current() {
    return root.dataset.theme || (system.matches ? "dark" : "light");
  }

  function apply(choice) {
    if (choice) root.dataset.theme = choice;
    else delete root.dataset.theme;
  }

  apply(stored());

  function wire() {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    function sync() { button.setAttribute("aria-pressed", String(current() === "dark")); }
    button.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      var choice = next === (system.matches ? "dark" : "light") ? null : next;
      apply(choice);
      store(choice);
      sync();
    });
    system.addEventListener("change", sync);
    window.addEventListener("storage", function (event) {
      if (event.key === KEY) { apply(stored()); sync(); }
    });
    sync();
    button.hidden = false;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();

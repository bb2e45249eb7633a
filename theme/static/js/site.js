/* The site's one script; the pages read fine without it.
 *
 * 1. Light/dark toggle. Loaded (blocking, ~2 KB) in <head> so a stored choice applies before
 *    the first paint. Without JavaScript the page follows prefers-color-scheme and the toggle
 *    stays hidden. The choice lives in localStorage["theme"] ("light" | "dark") and is applied
 *    as <html data-theme="…">; a choice equal to the system's preference is forgotten, so the
 *    page follows the system again.
 * 2. Content that scrolls sideways on a narrow screen (a long formula, a wide table or
 *    figure): such a box gets tabindex="0" (and a name, if it has none) so arrow keys can
 *    scroll it, and data-scroll="left right" naming the edges with more content, where the
 *    stylesheet draws a shadow. Only boxes that overflow at the current width become tab
 *    stops; the attributes follow scrolling, resizing and the late math font.
 * 3. "/" goes to search, as on GitHub or MDN: it focuses the search box on the search page and
 *    opens the search page (whose box takes the focus) from any other. Not while typing in a
 *    field, and not with a modifier, so "/" still types and browser shortcuts still work. */
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

  var SCROLLERS = '.math-display, .repro-table-wrap, .repro-svg, pre, math:not([display="block"])';
  // The name a sideways-scrolling box gets when it becomes a tab stop and has none of its own
  // (a table is named by its caption in the template).
  var SCROLL_NAMES = { "math-display": "公式，可左右滚动", "repro-svg": "图，可左右滚动" };

  // data-scroll lists the edges with more content beyond them ("left", "right"); the
  // stylesheet draws a shadow there.
  function markEdges(box) {
    var room = box.scrollWidth - box.clientWidth;
    var edges = [];
    if (room > 1 && box.scrollLeft > 1) edges.push("left");
    if (room > 1 && box.scrollLeft < room - 1) edges.push("right");
    if (edges.length) box.dataset.scroll = edges.join(" ");
    else delete box.dataset.scroll;
  }

  function named(box) {
    return box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby");
  }

  function focusableScrollers() {
    document.querySelectorAll(SCROLLERS).forEach(function (box) {
      var overflows = box.scrollWidth > box.clientWidth + 1;
      if (overflows && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollFocus = "";
        var name = SCROLL_NAMES[box.classList[0]]; // none for inline math: its role names it
        if (name && !named(box)) {
          box.setAttribute("role", "group");
          box.setAttribute("aria-label", name);
          box.dataset.scrollNamed = "";
        }
      } else if (!overflows && "scrollFocus" in box.dataset) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocus;
        if ("scrollNamed" in box.dataset) {
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
          delete box.dataset.scrollNamed;
        }
      }
      if (!("scrollWatched" in box.dataset)) {
        box.dataset.scrollWatched = "";
        box.addEventListener("scroll", function () { markEdges(box); }, { passive: true });
      }
      markEdges(box);
    });
  }

  function typing(target) {
    return target instanceof Element && Boolean(target.closest("input, textarea, select, [contenteditable]"));
  }

  function searchKey(event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var box = document.querySelector("#search input");
    var link = document.querySelector("a[data-search-page]");
    if (box) box.focus();
    else if (link) window.location.href = link.href;
    else return;
    event.preventDefault(); // the "/" must not land in the box it just focused
  }

  function ready() {
    wire();
    document.addEventListener("keydown", searchKey);
    focusableScrollers();
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(focusableScrollers, 150);
    });
    // widths change once the math font and the page's images have arrived
    window.addEventListener("load", focusableScrollers);
    if (document.fonts) document.fonts.ready.then(focusableScrollers);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();

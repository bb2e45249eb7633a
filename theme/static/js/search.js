/* The search page: Pagefind's default UI (pagefind/pagefind-ui.js, loaded before this file).
 * Results link to posts; sub-results jump to the matching section. "?q=…" in the page's
 * address starts a search, and the address follows what is typed, so results can be shared. */
(function () {
  "use strict";
  var ui = new PagefindUI({
    element: "#search",
    showSubResults: true,
    showImages: false,
  });
  var params = new URLSearchParams(window.location.search);
  var query = params.get("q");
  if (query) ui.triggerSearch(query);
  var input = document.querySelector("#search input");
  if (input) {
    input.setAttribute("aria-label", "要搜索的词语"); // Pagefind names it by title only
    input.focus(); // the page is for searching: typing starts right away
    input.addEventListener("input", function () {
      var url = new URL(window.location.href);
      if (input.value) url.searchParams.set("q", input.value);
      else url.searchParams.delete("q");
      window.history.replaceState(null, "", url);
    });
  }
})();

/* The search page: Pagefind's default UI (pagefind/pagefind-ui.js, loaded before this file).
 * Results link to posts; sub-results jump to the matching section. "?q=…" in the page's
 * address starts a search, and the address follows what is typed, so results can be shared.
 * The UI loads its search module from #search's data-bundle (pagefind/phrases/, written by
 * plugins/search): Pagefind's API with Chinese queries searched as exact phrases.
 * Pagefind's "N 个结果" message is not announced to screen readers, so it is copied into a
 * polite live region (#search-status) whenever it changes. */
(function () {
  "use strict";
  var root = document.querySelector("#search");
  var ui = new PagefindUI({
    element: "#search",
    // absolute: the UI imports it from its own script's folder, where a relative path would go wrong
    bundlePath: new URL(root.getAttribute("data-bundle"), document.baseURI).href,
    showSubResults: true,
    // words, and the index makes every Chinese character a word: Pagefind's 12 would show 12 characters
    excerptLength: 40,
    showImages: false,
  });
  var live = document.querySelector("#search-status");
  if (live) {
    new MutationObserver(function () {
      var message = root.querySelector(".pagefind-ui__message");
      var text = message ? message.textContent.trim() : "";
      if (live.textContent !== text) live.textContent = text;
    }).observe(root, { childList: true, subtree: true, characterData: true });
  }
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

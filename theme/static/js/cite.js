/* Copy buttons of a post's "引用本文" (theme/templates/cite.html); posts only, deferred.
 *
 * Without JavaScript the buttons stay hidden and the BibTeX entries are plain selectable text.
 * A button copies the text of the element its data-copy names, through the Clipboard API
 * (http://127.0.0.1 and https pages are secure contexts); where that is refused, it selects
 * the entry so that Ctrl+C / ⌘C copies it, and the status line says so (read by screen
 * readers: role="status"). They are real <button>s: Tab reaches them, Enter and Space press. */
(function () {
  "use strict";

  function select(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return Promise.reject(new Error("no clipboard"));
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var entry = document.getElementById(button.dataset.copy);
    var section = button.closest("section");
    var status = section && section.querySelector(".copy-status");
    if (!entry || !status) return;
    button.addEventListener("click", function () {
      copy(entry.textContent).then(
        function () { status.textContent = "已复制到剪贴板：" + button.textContent.replace(/^复制/, ""); },
        function () {
          select(entry);
          status.textContent = "浏览器不允许脚本写剪贴板：条目已选中，请按 Ctrl+C（或 ⌘C）复制。";
        }
      );
    });
    button.hidden = false;
  });
})();

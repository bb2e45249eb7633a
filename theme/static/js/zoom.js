/* Figure zoom: a figure opens large in a modal <dialog> (figure text is 4–9 px on a phone).
 *
 * Each figure of a directive gets a "放大" button next to its CSV and SVG links, and a click
 * or tap on the figure does the same. The figure's own inline SVG moves into the dialog (so
 * no id is duplicated and the theme's colours apply as on the page) and back when it closes:
 * Esc, the 关闭 button or a tap on the figure closes it, and the focus returns to the button
 * or figure that opened it. In the dialog the figure fills the screen's width and height as
 * far as its proportions allow, and is never drawn smaller than its own size (on a phone it
 * is wider than the screen and scrolls). Without JavaScript nothing changes: the figure stays
 * in the page and its caption links the SVG file. */
(function () {
  "use strict";
  var PT = 4 / 3; // CSS px per pt (matplotlib gives the size in pt)

  function naturalWidth(svg) {
    var match = /^([\d.]+)(pt|px)?$/.exec(svg.getAttribute("width") || "");
    if (!match) return svg.getBoundingClientRect().width;
    return parseFloat(match[1]) * (match[2] === "pt" ? PT : 1);
  }

  function aspect(svg) {
    var box = svg.viewBox && svg.viewBox.baseVal;
    if (box && box.width && box.height) return box.width / box.height;
    var rect = svg.getBoundingClientRect();
    return rect.height ? rect.width / rect.height : 1;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function open(figure, opener) {
    var svg = figure.querySelector(".repro-svg svg");
    if (!svg || document.querySelector(".repro-zoom-dialog")) return;
    var label = figure.querySelector(".repro-label");
    var title = label ? label.textContent : "图";
    var dialog = element("dialog", "repro-zoom-dialog");
    dialog.setAttribute("aria-label", title + "（放大）");
    var bar = element("div", "repro-zoom-bar");
    var close = element("button", "repro-zoom-close", "关闭");
    close.type = "button";
    bar.appendChild(element("span", "repro-zoom-title", title));
    bar.appendChild(close);
    // Also a .repro-svg, so whatever the theme gives a figure's panel (colours) applies here too.
    var body = element("div", "repro-svg repro-zoom-body");
    dialog.appendChild(bar);
    dialog.appendChild(body);
    var placeholder = element("div", "repro-zoom-placeholder");
    placeholder.style.height = svg.getBoundingClientRect().height + "px";
    svg.parentNode.replaceChild(placeholder, svg);
    svg.style.width = "max(" + naturalWidth(svg).toFixed(1) + "px, min(100%, calc((100dvh - 4rem) * " +
      aspect(svg).toFixed(4) + ")))";
    body.appendChild(svg);
    document.body.appendChild(dialog);
    close.addEventListener("click", function () { dialog.close(); });
    body.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () {
      svg.style.width = "";
      placeholder.parentNode.replaceChild(svg, placeholder);
      dialog.remove();
      opener.focus();
    });
    dialog.showModal();
    close.focus();
  }

  function wire(figure) {
    var links = figure.querySelector(".repro-links");
    var panel = figure.querySelector(".repro-svg");
    if (!links || !panel || !panel.querySelector("svg")) return;
    var label = figure.querySelector(".repro-label");
    var button = element("button", "repro-zoom", "放大");
    button.type = "button";
    button.setAttribute("aria-haspopup", "dialog");
    button.setAttribute("aria-label", "放大" + (label ? label.textContent : "图"));
    links.insertBefore(button, links.firstChild);
    button.addEventListener("click", function () { open(figure, button); });
    panel.classList.add("repro-zoomable");
    // A tap on the figure opens it too; keyboard users have the button (one tab stop per figure).
    panel.addEventListener("click", function () { open(figure, button); });
  }

  function ready() {
    document.querySelectorAll(".repro-figure").forEach(wire);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();

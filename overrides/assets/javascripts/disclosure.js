/*
 * Reader aids for the disclosure pages: plain JavaScript, no library, nothing loaded from elsewhere.
 * Every page works without it; it only adds:
 *   - a "可左右滑动" line above a table box that is wider than the screen (.scroll-cue);
 *   - file names that say whose file it is on the download links (download="2025-<unit>-<project>.xlsx");
 *   - the page address and the print date in the footer of every printed page (@page margin boxes);
 *   - sorting and filtering of the year page's project table (table.project-table), see projectTable().
 * Loaded at the end of <body> (Material's scripts block), so the page is already parsed.
 */
(function () {
  "use strict";

  var CUE = "表格较宽，可左右滑动查看 ⇆";

  function scrollCues() {
    var boxes = document.querySelectorAll(".md-typeset .form-sheet, .md-typeset .md-typeset__scrollwrap");
    Array.prototype.forEach.call(boxes, function (box) {
      var cue = box.previousElementSibling;
      if (!cue || !cue.classList.contains("scroll-cue")) {
        cue = document.createElement("p");
        cue.className = "scroll-cue";
        cue.textContent = CUE;
        box.parentNode.insertBefore(cue, box);
      }
      var wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("is-overflowing", wide);
      cue.classList.toggle("is-shown", wide);
    });
  }

  /* ".../2025/<unit>/<project>.xlsx" -> "2025-<unit>-<project>.xlsx"; a unit's own form is "unit.*". */
  function downloadNames() {
    var links = document.querySelectorAll(".md-content a[href]");
    Array.prototype.forEach.call(links, function (link) {
      var path;
      try {
        path = new URL(link.getAttribute("href"), location.href).pathname.split("/");
      } catch (e) {
        return;
      }
      var file = path[path.length - 1];
      var unit = path[path.length - 2];
      var year = path[path.length - 3];
      var match = /^([a-z0-9][a-z0-9-]*)\.(xlsx|yml|json)$/.exec(file || "");
      if (!match || !/^\d{4}$/.test(year || "") || !unit) return;
      var name = match[1] === "unit" ? year + "-" + unit : year + "-" + unit + "-" + match[1];
      link.setAttribute("download", name + "." + match[2]);
    });
  }

  function projectTable() {}

  function cssString(text) {
    return '"' + String(text).replace(/[\\"]/g, "\\$&").replace(/[\r\n]/g, " ") + '"';
  }

  function printFooter() {
    var today = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var date = today.getFullYear() + "-" + pad(today.getMonth() + 1) + "-" + pad(today.getDate());
    var style = document.createElement("style");
    style.setAttribute("data-print-footer", "");
    style.textContent =
      "@media print { @page { @bottom-left { content: " + cssString(location.href) + "; font-size: 8pt; }" +
      " @bottom-right { content: " + cssString("打印日期：" + date + "　第 ") + ' counter(page) " / " counter(pages) " 页"; font-size: 8pt; } } }';
    document.head.appendChild(style);
  }

  function ready() {
    scrollCues();
    downloadNames();
    projectTable();
  }

  printFooter();
  window.addEventListener("resize", scrollCues);
  /* Material wraps plain tables in their scroll box when its components mount (document$ emits then). */
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(ready);
  } else {
    ready();
  }
})();

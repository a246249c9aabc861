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
      /* "data" is the year's data folder (reserved: no unit has that id); its files are already named. */
      if (!match || !/^\d{4}$/.test(year || "") || !unit || unit === "data") return;
      var name = match[1] === "unit" ? year + "-" + unit : year + "-" + unit + "-" + match[1];
      link.setAttribute("download", name + "." + match[2]);
    });
  }

  /*
   * The year page's table of every project (a plain Markdown table after <div class="project-tools">):
   * filters by unit, category and text, and sorting by any column. Rows are only shown, hidden and
   * re-ordered (no re-rendering), so 10,000 rows stay fast.
   */
  function projectTable() {
    var tools = document.querySelector(".project-tools[data-for]");
    if (!tools || tools.getAttribute("data-ready")) return;
    var next = tools.nextElementSibling;
    while (next && next.classList.contains("scroll-cue")) next = next.nextElementSibling;
    var table = next && (next.tagName === "TABLE" ? next : next.querySelector("table"));
    if (!table || !table.tBodies.length) return;
    tools.setAttribute("data-ready", "1");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var texts = rows.map(function (row) {
      return Array.prototype.map.call(row.cells, function (cell) { return cell.textContent.trim(); });
    });
    var haystack = texts.map(function (cells) { return cells.join(" ").toLowerCase(); });
    var index = rows.map(function (_, i) { return i; });

    function options(column, label) {
      var select = document.createElement("select");
      select.setAttribute("aria-label", label);
      var all = document.createElement("option");
      all.value = "";
      all.textContent = "全部" + label;
      select.appendChild(all);
      var seen = {};
      texts.forEach(function (cells) {
        var value = cells[column];
        if (value && !seen[value]) {
          seen[value] = true;
          var option = document.createElement("option");
          option.value = option.textContent = value;
          select.appendChild(option);
        }
      });
      return select;
    }

    var unit = options(0, "单位");
    var category = options(2, "类别");
    var search = document.createElement("input");
    search.type = "search";
    search.placeholder = "按项目或单位名称筛选";
    search.setAttribute("aria-label", "按项目或单位名称筛选");
    var previous = document.createElement("button");
    previous.type = "button";
    previous.textContent = "上一页";
    var following = document.createElement("button");
    following.type = "button";
    following.textContent = "下一页";
    var count = document.createElement("span");
    count.className = "project-count";
    count.setAttribute("role", "status");
    [unit, category, search, previous, following, count].forEach(function (el) { tools.appendChild(el); });
    tools.hidden = false;

    /* Only one page of rows is laid out at a time: a 10,000-row table re-laid out on every key is slow. */
    var PAGE = 100;
    var page = 0;
    var shown = rows.slice();
    var matched = index;

    function render() {
      var total = matched.length;
      var last = Math.max(0, Math.ceil(total / PAGE) - 1);
      page = Math.min(Math.max(page, 0), last);
      var slice = matched.slice(page * PAGE, page * PAGE + PAGE);
      var keep = {};
      slice.forEach(function (i) { keep[i] = true; });
      shown.forEach(function (row) { if (!keep[row.__index]) row.hidden = true; });
      var fragment = document.createDocumentFragment();
      slice.forEach(function (i) { rows[i].hidden = false; fragment.appendChild(rows[i]); });
      body.insertBefore(fragment, body.firstChild);
      shown = slice.map(function (i) { return rows[i]; });
      previous.disabled = page === 0;
      following.disabled = page >= last;
      count.textContent = total
        ? "第 " + (page * PAGE + 1) + "–" + (page * PAGE + slice.length) + " 个，共 " + total + " 个符合条件（全年 " + rows.length + " 个项目）"
        : "没有符合条件的项目（全年 " + rows.length + " 个项目）";
    }

    function filter() {
      var u = unit.value, c = category.value, q = search.value.trim().toLowerCase();
      matched = index.filter(function (i) {
        var cells = texts[i];
        return (!u || cells[0] === u) && (!c || cells[2] === c) && (!q || haystack[i].indexOf(q) !== -1);
      });
      page = 0;
      render();
    }

    rows.forEach(function (row, i) { row.__index = i; });
    var numeric = function (text) {
      var n = parseFloat(text.replace(/[%,]/g, ""));
      return isNaN(n) ? -Infinity : n;
    };
    var collator = window.Intl && Intl.Collator ? new Intl.Collator("zh-CN") : null;
    var sorted = {column: -1, up: true};

    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      var isNumber = th.style.textAlign === "right" || th.getAttribute("align") === "right";
      button.addEventListener("click", function () {
        var up = sorted.column === column ? !sorted.up : true;
        sorted = {column: column, up: up};
        index = index.slice().sort(function (a, b) {
          var x = texts[a][column], y = texts[b][column];
          var d = isNumber ? numeric(x) - numeric(y) : collator ? collator.compare(x, y) : x < y ? -1 : x > y ? 1 : 0;
          return (up ? d : -d) || a - b;
        });
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        filter();
      });
    });

    unit.addEventListener("change", filter);
    category.addEventListener("change", filter);
    search.addEventListener("input", filter);
    previous.addEventListener("click", function () { page--; render(); });
    following.addEventListener("click", function () { page++; render(); });
    filter();
  }

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
    projectTable();
    scrollCues();
    downloadNames();
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

/*
 * The public site's search box: Pagefind (the chunked index written by generator/site/searchbundles.py
 * into <site>/pagefind/) driven through Material's own search markup and classes
 * (overrides/partials/pagefind.html), so it looks and behaves like Material's search.
 *
 * - Loads nothing until the box is used; then only pagefind/… below the site root (no other host;
 *   the site root comes from Material's __config "base", so a sub-path deployment works): the first
 *   bundle, and the bundles listed in pagefind/bundles.json merged into it (a large site's index).
 * - Typing through an input method searches when the composition is committed, not for its pinyin.
 * - Keyboard: "/", "s" or "f" opens, ↑/↓ move through the results, Enter opens the first or the
 *   focused one, Esc closes. ?q=… opens the box with a query (a shareable search).
 * - Query: numbers are searched without a comparison before them (≥90% → 90%) and spaced from their
 *   unit; the query is searched as Pagefind's exact phrase, as words, and character by character (the
 *   index holds every page's characters: Pagefind's segmentation of the page and of the query do not
 *   always agree), the words and characters only while fewer than 4 pages were found. The candidates must hold every
 *   character of the query and are re-ranked: the whole query in the title, then in the text, then the rest.
 *   The phrase's few pages are shown while the words and characters are searched (data-searching on
 *   the box meanwhile; a "disclosure-search-results" event on the box for every list shown).
 * - Preview: the table row that holds the match ("指标名称 → 指标值"), no invisible characters.
 * - The page opened from a result gets ?h=<query> and marks the matches (like search.highlight).
 */
(function () {
  "use strict";

  var ROW = "\u25b8"; // generator/site/searchindex.py ROW_MARK
  var VARIANTS = "\u2042"; // generator/site/searchindex.py VARIANTS_MARK
  var CANDIDATES = 16; // results whose text is fetched and re-ranked
  var FALLBACK = 4; // the phrase found fewer pages than this: also search its words, then its characters
  var SHOWN = 20;
  var INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]/g;
  var OPERATOR = /(?:[≥≤><=≧≦]+|不低于|不少于|不高于|不多于|不超过|不大于|不小于|大于|小于|高于|低于|达到|超过)\s*(?=\d)/g;
  var QUOTES = /[“”‘’「」『』《》〈〉【】〔〕（）()"'`,，。、；;：:!！?？]/g;
  var HAN = /[\u3400-\u9fff\uf900-\ufaff]/;

  function clean(text) {
    return String(text || "").replace(INVISIBLE, "");
  }
  /* What the reader meant: full-width forms folded, quotes and comparisons dropped. */
  function normalize(query) {
    return clean(query).normalize("NFKC").replace(QUOTES, " ").replace(OPERATOR, "").replace(/\s+/g, " ").trim();
  }
  /* Numbers spaced from what is next to them: "500人次" -> "500 人次" (as the index holds them). */
  function spaced(query) {
    return query.replace(/(\d)(?=[^\d.\s])/g, "$1 ").replace(/([^\d.\s])(?=\d)/g, "$1 ");
  }
  /* Han characters one by one: "花城保" -> "花 城 保". */
  function characters(query) {
    return spaced(query).replace(/[\u3400-\u9fff\uf900-\ufaff]/g, " $& ").replace(/\s+/g, " ").trim();
  }
  function flat(text) {
    return clean(text).normalize("NFKC").replace(/\s+/g, "").toLowerCase();
  }
  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  /* The whole query, in text whose spacing may differ; a number never matches inside a longer one. */
  function phrase(query) {
    var chars = Array.from(flat(query).replace(QUOTES, ""));
    if (!chars.length) return null;
    var body = chars.map(escapeRegExp).join("\\s*");
    var head = /\d/.test(chars[0]) ? "(?<![\\d.])" : "";
    var tail = /\d/.test(chars[chars.length - 1]) ? "(?!\\.?\\d)" : "";
    return new RegExp(head + body + tail, "gi");
  }
  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  /* Escaped text with every match of `pattern` in <mark>. */
  function marked(text, pattern) {
    if (!pattern) return escapeHtml(text);
    var out = "";
    var last = 0;
    pattern.lastIndex = 0;
    text.replace(pattern, function (match, offset) {
      out += escapeHtml(text.slice(last, offset)) + "<mark>" + escapeHtml(match) + "</mark>";
      last = offset + match.length;
      return match;
    });
    return out + escapeHtml(text.slice(last));
  }
  function terms(query) {
    var words = spaced(query).split(" ").filter(function (w) { return /[\p{L}\p{N}]/u.test(w); });
    if (!words.length) return null;
    return new RegExp(words.map(function (w) { return Array.from(w).map(escapeRegExp).join("\\s*"); }).join("|"), "gi");
  }
  function tests(pattern, text) {
    pattern.lastIndex = 0;
    return pattern.test(text);
  }

  /* The part of the page text to show: the row holding the phrase, else the text around it. */
  function preview(data, query) {
    var text = clean(data.content).split(VARIANTS)[0];
    var exact = phrase(query);
    var rows = text.split(ROW).slice(1).map(function (row) { return row.replace(/[.\s]+$/, "").trim(); });
    var prose = text.split(ROW)[0];
    var chosen = null;
    [exact, terms(query)].forEach(function (pattern) {
      if (chosen || !pattern) return;
      /* The shortest row that holds it: an indicator row ("名称 → 值") before a long target text. */
      rows.forEach(function (row) {
        if (tests(pattern, row) && (!chosen || row.length < chosen.length)) chosen = row;
      });
      if (chosen) chosen = around(chosen, pattern);
      else if (tests(pattern, prose)) chosen = around(prose, pattern);
    });
    if (!chosen) chosen = clean(data.excerpt).replace(/<[^>]*>/g, "").split(VARIANTS)[0].split(ROW).join(" ");
    return marked(chosen, exact && tests(exact, chosen) ? exact : terms(query));
  }
  /* A long text cut around the first match; a row keeps its label ("总体目标 → …match…"). */
  function around(text, pattern) {
    var LIMIT = 120;
    if (text.length <= LIMIT) return text;
    pattern.lastIndex = 0;
    var at = Math.max(0, text.search(pattern));
    var arrow = text.indexOf(" → ");
    var label = arrow > 0 && arrow < 40 ? text.slice(0, arrow + 3) : "";
    var from = Math.max(label.length, at - 30);
    var cut = text.slice(from, from + LIMIT - label.length);
    return label + (from > label.length ? "…" : "") + cut + (from + cut.length < text.length ? "…" : "");
  }

  /* Pagefind leaves out query words it does not hold at all: a result must have every character and
     number of the query (in any order) to be shown. */
  function covers(data, query) {
    var text = flat(((data.meta && data.meta.title) || "") + clean(data.content).split(VARIANTS)[0]);
    return characters(query).split(" ").every(function (word) {
      return !/[\p{L}\p{N}]/u.test(word) || text.indexOf(flat(word)) >= 0;
    });
  }

  function rank(items, query) {
    var exact = phrase(query);
    items.forEach(function (item, index) {
      var title = (item.data.meta && item.data.meta.title) || "";
      var text = clean(item.data.content).split(VARIANTS)[0];
      item.order = index;
      item.tier = !exact ? 2 : tests(exact, title) ? 0 : tests(exact, text) ? 1 : 2;
    });
    return items.sort(function (a, b) { return a.tier - b.tier || a.order - b.order; });
  }

  var box = document.querySelector("[data-disclosure-search]");
  var toggle = document.getElementById("__search");
  if (box && toggle) {
    var input = box.querySelector(".md-search__input");
    var meta = box.querySelector(".md-search-result__meta");
    var list = box.querySelector(".md-search-result__list");
    var form = box.querySelector(".md-search__form");
    var config = JSON.parse(document.getElementById("__config").textContent);
    var t = config.translations || {};
    var root = new URL((config.base || ".").replace(/\/?$/, "/"), location.href);
    var engine = null;
    var current = 0;
    var timer = null;

    var load = function () {
      if (!engine) {
        var options = { baseUrl: root.pathname, excerptLength: 30 };
        /* The index is several Pagefind bundles (generator/site/searchbundles.py: Pagefind's cost per query
           grows with the square of a bundle's pages): the first is pagefind/, the others are listed in
           pagefind/bundles.json and merged into it (they share its program). */
        var parts = fetch(new URL("pagefind/bundles.json", root).href).then(function (response) {
          return response.ok ? response.json() : [];
        }).catch(function () { return []; });
        engine = import(new URL("pagefind/pagefind.js", root).href).then(function (pagefind) {
          return Promise.resolve(pagefind.options(options)).then(function () {
            pagefind.init();
            return parts;
          }).then(function (list) {
            return Promise.all((Array.isArray(list) ? list : []).map(function (path) {
              return pagefind.mergeIndex(new URL("pagefind/" + path, root).pathname, options);
            }));
          }).then(function () {
            return pagefind;
          });
        });
        engine.catch(function () { engine = null; });
      }
      return engine;
    };
    var say = function (text) { meta.textContent = text; };
    var count = function (n) {
      if (n === 0) return t["search.result.none"] || "没有找到符合条件的结果";
      if (n === 1) return t["search.result.one"] || "找到 1 个符合条件的结果";
      return (t["search.result.other"] || "# 个符合条件的结果").replace("#", n);
    };
    /* While `more` (the phrase's results are shown, its words and characters still being searched),
       the box carries data-searching; the final list replaces the first. */
    var render = function (items, query, total, more) {
      if (more) box.setAttribute("data-searching", "");
      else box.removeAttribute("data-searching");
      list.innerHTML = "";
      items.slice(0, SHOWN).forEach(function (item) {
        var url = new URL(item.data.url, location.href);
        url.searchParams.set("h", query);
        var li = document.createElement("li");
        li.className = "md-search-result__item";
        var trail = item.data.meta && item.data.meta.trail;
        li.innerHTML =
          '<a class="md-search-result__link" tabindex="-1">' +
          '<article class="md-search-result__article md-search-result__article--document md-typeset">' +
          '<div class="md-search-result__icon md-icon"></div>' +
          "<h1>" + marked(clean(item.data.meta.title || item.data.url), phrase(query)) + "</h1>" +
          (trail ? '<p class="search-result__trail">' + escapeHtml(clean(trail)) + "</p>" : "") +
          "<p>" + preview(item.data, query) + "</p></article></a>";
        li.firstChild.href = url.href;
        list.appendChild(li);
      });
      say(count(total) + (more ? "，正在查找更多……" : ""));
      /* Each list shown, first or final (tests/browser/test_pagefind_search.py listens). */
      box.dispatchEvent(new CustomEvent("disclosure-search-results", { detail: { shown: list.children.length, more: !!more } }));
    };
    var search = function (raw) {
      var id = ++current;
      var query = normalize(raw);
      if (!query) {
        box.removeAttribute("data-searching");
        list.innerHTML = "";
        say(t["search.result.placeholder"] || "键入以开始搜索");
        return;
      }
      box.setAttribute("data-searching", "");
      load().then(function (pagefind) {
        /* Pagefind's exact phrase (when its segmentation of page and query agree), then its words, then
           the characters, each only while fewer than FALLBACK pages were found: Pagefind scores every
           page that holds a query word, so a search for words most pages hold costs time that grows
           with the site (and with the square of a bundle's pages: 30,000 pages in one bundle, 4x
           throttled, took 7 s for the phrase, 17 s for its words; in bundles of 2,500 pages, 1 s). */
        var plan = ['"' + spaced(query).replace(/"/g, " ") + '"', spaced(query), characters(query)];
        var seen = {};
        var picked = [];
        var total = 0;
        var fetched = {};
        var data = function (r) { return fetched[r.id] || (fetched[r.id] = r.data()); };
        var step = function (i) {
          if (id !== current) return null;
          if (i >= plan.length || picked.length >= (i ? FALLBACK : CANDIDATES)) return finish(false);
          if (i > 0 && plan[i] === plan[i - 1]) return step(i + 1);
          return pagefind.search(plan[i]).then(function (response) {
            var results = (response && response.results) || [];
            total = Math.max(total, results.length);
            results.slice(0, CANDIDATES).forEach(function (r) {
              if (!seen[r.id] && picked.length < CANDIDATES) { seen[r.id] = true; picked.push(r); }
            });
            /* The phrase found a few pages: show them first, then search its words and characters (the
               costly searches: each matches most pages) for pages that Pagefind segmented otherwise.
               Shown before those start: Pagefind's worker answers one request at a time. */
            if (i === 0 && picked.length && picked.length < FALLBACK) {
              return finish(true).then(function () { return step(i + 1); });
            }
            return step(i + 1);
          });
        };
        var finish = function (more) {
          return Promise.all(picked.map(data)).then(function (datas) {
            if (id !== current) return;
            var items = datas.filter(function (d) { return covers(d, query); }).map(function (d) {
              return { data: d };
            });
            if (more && !items.length) return;
            render(rank(items, query), query, items.length + Math.max(0, total - picked.length), more);
          });
        };
        return step(0);
      }, function () {
        if (id !== current) return;
        box.removeAttribute("data-searching");
        say(location.protocol === "file:"
          ? "从本地文件打开时不能搜索：请通过网页服务器打开本站，或使用可离线检索的年度归档"
          : "本站没有搜索索引（由 disclosure build 构建的站点才有；预览和纯 mkdocs build 没有）");
      });
    };
    var schedule = function () {
      clearTimeout(timer);
      current++; // results still on their way are for an older query
      box.setAttribute("data-searching", "");
      say(t["search.result.searching"] || "正在搜索……");
      /* The index chunks of the phrase are fetched during the pause before searching (as Pagefind's own UI does). */
      var typed = normalize(input.value);
      if (typed) load().then(function (pagefind) { pagefind.preload('"' + spaced(typed).replace(/"/g, " ") + '"'); }, function () {});
      timer = setTimeout(function () { search(input.value); }, 120);
    };
    var open = function () {
      if (!toggle.checked) toggle.checked = true;
      input.focus();
      load();
    };
    var close = function () {
      toggle.checked = false;
      input.blur();
    };
    var links = function () { return Array.prototype.slice.call(list.querySelectorAll(".md-search-result__link")); };

    /* An input method (pinyin, wubi) fires input events while the reader composes: the box then holds
       Latin letters that are no query. Search once the composition is committed. */
    input.addEventListener("input", function (event) {
      if (!event.isComposing) schedule();
    });
    input.addEventListener("compositionend", schedule);
    input.addEventListener("focus", function () {
      if (!toggle.checked) toggle.checked = true;
      load();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () {
      setTimeout(function () { search(""); input.focus(); }, 0);
    });
    toggle.addEventListener("change", function () {
      if (toggle.checked) open();
      else input.blur();
    });
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(input|textarea|select)$/i.test(target.tagName));
      if (!toggle.checked) {
        if (!typing && (event.key === "/" || event.key === "s" || event.key === "f")) {
          event.preventDefault();
          open();
        }
        return;
      }
      var items = links();
      var at = items.indexOf(document.activeElement);
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!items.length) return;
        event.preventDefault();
        var next = event.key === "ArrowDown" ? at + 1 : at - 1;
        if (next < 0) input.focus();
        else items[Math.min(next, items.length - 1)].focus();
      } else if (event.key === "Enter" && target === input) {
        event.preventDefault();
        clearTimeout(timer);
        if (items.length) items[0].click();
        else search(input.value);
      } else if (typing && target !== input) {
        return;
      } else if (target !== input && event.key.length === 1) {
        input.focus(); // typing while a result is focused goes on in the box
      }
    });

    var params = new URLSearchParams(location.search);
    if (params.get("q")) {
      input.value = params.get("q");
      open();
      search(input.value);
    }
  }

  /* The page opened from a result: mark the query in the content (like Material's search.highlight). */
  function highlight() {
    var query = normalize(new URLSearchParams(location.search).get("h") || "");
    var article = document.querySelector("article.md-content__inner");
    if (!query || !article) return;
    var pattern = phrase(query);
    var walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    var text = "";
    var nodes = [];
    for (var node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
    text = nodes.map(function (n) { return n.data; }).join("");
    if (!pattern || !tests(pattern, text)) pattern = terms(query);
    if (!pattern) return;
    var first = null;
    nodes.forEach(function (n) {
      if (n.parentNode.closest("script, style, svg, mark") || !tests(pattern, n.data)) return;
      var span = document.createElement("span");
      span.innerHTML = marked(n.data, pattern);
      Array.prototype.forEach.call(span.querySelectorAll("mark"), function (m) {
        m.setAttribute("data-md-highlight", "");
      });
      var fragment = document.createDocumentFragment();
      while (span.firstChild) fragment.appendChild(span.firstChild);
      var marks = fragment.querySelectorAll("mark");
      if (!first && marks.length) first = marks[0];
      n.parentNode.replaceChild(fragment, n);
    });
    if (first && !location.hash) first.scrollIntoView({ block: "center" });
  }
  highlight();

  window.disclosureSearch = { normalize: normalize, spaced: spaced, characters: characters, phrase: phrase, rank: rank };
})();

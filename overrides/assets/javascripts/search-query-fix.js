/*
 * Chinese search fix for Material for MkDocs 9.8.
 *
 * Problem: at build time Material's search plugin runs jieba only on runs of
 * Han characters and wraps each run in zero-width spaces
 * (material/plugins/search/plugin.py, SearchIndex._segment_chinese), so
 * "2025年度" is indexed as the two terms "2025" and "年度". In the browser the
 * query is split only at the separator ([\s\u200b\u3000\-、。，．？！；]+
 * for zh), so the query "2025年度" stays ONE term and matches nothing.
 *
 * Fix: split the query the same way the index was split, by inserting a space
 * wherever a Han character meets a non-Han letter or number ("2025年度" ->
 * "2025 年度", "536人" -> "536 人", "PPP项目" -> "PPP 项目"), and turning
 * non-ASCII punctuation such as “ ” （ ） into spaces. ASCII characters are
 * left alone: + - " * ~ ^ : are Lunr query syntax.
 *
 * Hook: Material 9.x has no query-transform hook any more (the old
 * `__search.transform` of Material 5-8 is gone; the 9.8 bundle never reads
 * `__search`). The query travels from the search box to the search worker as
 * `worker.postMessage({ type: QUERY, data: value })`
 * (src/templates/assets/javascripts/browser/worker/index.ts). We wrap
 * postMessage on the Worker prototype and rewrite only QUERY messages.
 * Material's own query handling in the worker (Han segmentation against the
 * index, then its default transform: quotes -> required terms, trailing
 * wildcards, ...) still runs unchanged on the rewritten string, so its default
 * behaviour is kept without copying it.
 *
 * Load order: this file is a classic script included by overrides/main.html
 * before Material's bundle (which creates the worker), and after the
 * `extra.polyfills` scripts in <head>, so under file:// it also patches the
 * iframe-worker shim that replaces window.Worker there.
 */
(function () {
  "use strict";

  // SearchMessageType.QUERY: enum { SETUP, READY, QUERY, RESULT } in
  // src/templates/assets/javascripts/integrations/search/worker/message/index.ts
  var QUERY = 2;

  var BOUNDARY;
  var PUNCTUATION;
  try {
    // Unicode property escapes; without them (very old browsers) leave the
    // query alone rather than break search.
    BOUNDARY = new RegExp(
      "(\\p{sc=Han})(?=(?!\\p{sc=Han})[\\p{L}\\p{N}])" +  // Han | non-Han
      "|((?!\\p{sc=Han})[\\p{L}\\p{N}])(?=\\p{sc=Han})",  // non-Han | Han
      "gu"
    );
    PUNCTUATION = new RegExp("(?![\\x00-\\x7F])\\p{P}", "gu");
  } catch (err) {
    return;
  }

  // Split one whitespace-free token; a leading + or - modifier is repeated on
  // every piece so that "+2025年度" still means "must contain both".
  function splitToken(token) {
    var modifier = /^[+-]/.test(token) ? token[0] : "";
    var pieces = token.slice(modifier.length).replace(BOUNDARY, "$1$2 ").split(" ");
    return pieces.filter(Boolean).map(function (piece) {
      return modifier + piece;
    }).join(" ");
  }

  function splitQuery(query) {
    return query
      .replace(PUNCTUATION, " ")
      .split(/(\s+)/)
      .map(function (part) { return /^\s*$/.test(part) ? part : splitToken(part); })
      .join("")
      .replace(/\s+/g, " ")
      .trim();
  }

  function patch(WorkerClass) {
    var proto = WorkerClass && WorkerClass.prototype;
    if (!proto || proto.__disclosureSearchFix)
      return;
    var post = proto.postMessage;
    proto.postMessage = function (message) {
      if (message && message.type === QUERY && typeof message.data === "string") {
        var args = Array.prototype.slice.call(arguments);
        args[0] = Object.assign({}, message, { data: splitQuery(message.data) });
        return post.apply(this, args);
      }
      return post.apply(this, arguments);
    };
    Object.defineProperty(proto, "__disclosureSearchFix", { value: true });
  }

  // Native workers (http/https), and the iframe-worker shim used by the
  // offline archive (it sets window.Worker = IFrameWorker under file://).
  patch(window.Worker);
  patch(window.IFrameWorker);

  // Exposed for the browser tests.
  window.disclosureSearch = { splitQuery: splitQuery };
})();

// hindsight: search in the published archive, from static files only (works from disk).
// Index pieces are JavaScript files loaded with <script> tags (Chromium blocks fetch()
// of file:// URLs); each calls one of the window.hindsight* registration functions
// below. A query loads search/idx/entry.js once, the term shards of its words, the
// word-pair shards of its phrases, facet files only when it filters, and the document
// files of the results it shows (each with its whole text, for snippets). See
// src/search/static_index.rs for the format. Tokenizer, stop words and stemmer mirror
// src/text/ rule for rule. Data is only ever inserted with textContent.
(function () {
  "use strict";

  // ---- tokenizer, stop words and stemmer (keep identical to src/text/) ----
  // Stop words of the core tier (src/text/stop.rs): the only ones search drops.
  var STOP = {};
  ["an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had", "has", "have", "in", "into", "is", "it", "its", "of", "on",
    "or", "our", "so", "that", "the", "their", "this", "to", "was", "were", "with"].forEach(function (w) { STOP[w] = true; });
  var WORD = /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]+/gu;
  // Step 2 of the stemmer: the first ending that leaves enough letters goes.
  var ENDINGS = [["ization", "ize"], ["ational", "ate"], ["ation", ""], ["ition", ""], ["ness", ""], ["ment", ""], ["ing", ""], ["ion", ""],
    ["ed", ""], ["ly", ""], ["ity", ""], ["ive", ""], ["y", ""], ["e", ""]];

  function endsWith(w, s) { return w.length >= s.length && w.slice(w.length - s.length) === s; }

  function stem(word) {
    if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
    var w = word;
    if (endsWith(w, "ies") && w.length > 4) w = w.slice(0, -3) + "y";
    else if (endsWith(w, "sses")) w = w.slice(0, -2);
    else if (endsWith(w, "s") && !endsWith(w, "ss") && !endsWith(w, "us") && !endsWith(w, "is")) w = w.slice(0, -1);
    for (var i = 0; i < ENDINGS.length; i++) {
      var ending = ENDINGS[i][0], replacement = ENDINGS[i][1];
      if (!endsWith(w, ending)) continue;
      var base = w.slice(0, w.length - ending.length);
      if (base.length + replacement.length < (ending.length <= 2 ? 4 : 3)) continue;
      if (ending === "ion" && !/[tsx]$/.test(base)) continue;
      w = base + replacement;
      break;
    }
    var n = w.length;
    if (n > 3 && w[n - 1] === w[n - 2] && "lszaeiou".indexOf(w[n - 1]) < 0) w = w.slice(0, -1);
    if (endsWith(w, "e") && w.length > 4) w = w.slice(0, -1);
    return w;
  }

  // Tokens with UTF-16 offsets: [{start, end, term}].
  function tokens(text) {
    var out = [];
    var m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text)) !== null) {
      var chars = Array.from(m[0]).length;
      if (chars < 2 || chars > 40) continue;
      var lower = m[0].toLowerCase();
      if (STOP[lower]) continue;
      out.push({ start: m.index, end: m.index + m[0].length, term: stem(lower) });
    }
    return out;
  }

  function terms(text) { return tokens(text).map(function (t) { return t.term; }); }

  function editDistance(a, b) {
    var prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 0; i < a.length; i++) {
      cur = [i + 1];
      for (j = 0; j < b.length; j++) cur.push(Math.min(prev[j] + (a[i] === b[j] ? 0 : 1), prev[j + 1] + 1, cur[j] + 1));
      prev = cur;
    }
    return prev[b.length];
  }

  // ---- query language (the CLI's, plus year:) ----
  var FIELDS = ["cause", "service", "team", "severity", "tag", "status", "year", "after", "before"];

  function parseQuery(text) {
    var items = [], i = 0, n = text.length;
    function fail(at, msg) { var e = new Error("query:" + (at + 1) + ": " + msg); e.query = true; throw e; }
    function quoted(at) {
      var end = text.indexOf('"', at + 1);
      if (end < 0) fail(at, "unterminated phrase; expected a closing \"");
      return { value: text.slice(at + 1, end), next: end + 1 };
    }
    while (i < n) {
      if (/\s/.test(text[i])) { i++; continue; }
      var start = i, negated = text[i] === "-", item;
      if (negated) {
        i++;
        if (i >= n || /\s/.test(text[i])) fail(start, "`-` must be followed by what to exclude");
      }
      if (text[i] === '"') {
        var q = quoted(i);
        i = q.next;
        item = { kind: "phrase", value: q.value };
      } else {
        var ws = i;
        while (i < n && !/\s/.test(text[i]) && text[i] !== ":" && text[i] !== '"') i++;
        var head = text.slice(ws, i);
        if (i < n && text[i] === ":" && /^[A-Za-z]+$/.test(head)) {
          var name = head.toLowerCase();
          i++;
          var value;
          if (text[i] === '"') { var qv = quoted(i); value = qv.value; i = qv.next; } else { var vs = i; while (i < n && !/\s/.test(text[i])) i++; value = text.slice(vs, i); }
          value = value.trim().toLowerCase();
          if (FIELDS.indexOf(name) < 0) fail(ws, "unknown field `" + name + "`; expected one of " + FIELDS.join(", "));
          if (!value) fail(i, "`" + name + ":` needs a value");
          if ((name === "after" || name === "before") && !/^\d{4}-\d{2}-\d{2}$/.test(value)) fail(ws + name.length + 1, "bad date `" + value + "`; expected YYYY-MM-DD");
          item = { kind: "field", field: name, value: value };
        } else {
          while (i < n && !/\s/.test(text[i])) i++;
          item = { kind: "word", value: text.slice(ws, i) };
        }
      }
      if (i < n && !/\s/.test(text[i])) fail(i, "expected a space between items");
      item.negated = negated;
      items.push(item);
    }
    return items;
  }

  // ---- loading index pieces with <script> tags ----
  var base = "idx/";
  var cache = {}, waiting = {};

  function settle(key, data) {
    cache[key] = data;
    (waiting[key] || []).forEach(function (w) { w.resolve(data); });
    delete waiting[key];
  }
  window.hindsightEntry = function (d) { settle("entry", d); };
  window.hindsightShard = function (n, d) { settle("t" + n, d); };
  window.hindsightFacet = function (name, d) { settle("f-" + name, d); };
  window.hindsightDates = function (d) { settle("dates", d); };
  window.hindsightPairStarts = function (d) { settle("pairs", d); };
  window.hindsightPairs = function (n, d) { settle("p" + n, d); };
  window.hindsightDocs = function (g, d) { settle(docFile(cache.entry, g), d); };
  // Documents come in groups of entry.group, group files in folders of entry.folder.
  function docFile(entry, group) { return "x/" + Math.floor(group / entry.folder) + "/" + group; }

  function load(key) {
    if (key in cache) return Promise.resolve(cache[key]);
    return new Promise(function (resolve, reject) {
      var first = !waiting[key];
      (waiting[key] = waiting[key] || []).push({ resolve: resolve, reject: reject });
      if (!first) return;
      var s = document.createElement("script");
      s.src = base + key + ".js";
      s.async = true;
      s.onerror = function () {
        (waiting[key] || []).forEach(function (w) { w.reject(new Error("could not load the search index file " + s.src)); });
        delete waiting[key];
      };
      document.head.appendChild(s);
    });
  }

  function decode(s) {
    var out = [], value = 0, shift = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i), d;
      if (c >= 65 && c <= 90) d = c - 65; else if (c >= 97 && c <= 122) d = c - 71; else if (c >= 48 && c <= 57) d = c + 4; else d = c === 45 ? 62 : 63;
      value += (d & 31) * Math.pow(2, shift);
      if (d & 32) shift += 5; else { out.push(value); value = 0; shift = 0; }
    }
    return out;
  }

  // Index of the shard that holds `term` (terms are sorted by UTF-16 code units).
  function shardOf(entry, term) {
    var lo = 0, hi = entry.shards.length - 1, ans = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (entry.shards[mid] <= term) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans;
  }

  // doc -> score for one term: exact, else typo neighbours (long words only), plus prefix
  // completions for the word still being typed; their weights come from entry.js
  // (src/search/weights.rs, shared with the CLI).
  function termScores(entry, term, rawPrefix, exactOnly) {
    var first = shardOf(entry, term);
    var keys = [first];
    if (rawPrefix) {
      var last = shardOf(entry, rawPrefix + "\uffff");
      for (var k = shardOf(entry, rawPrefix); k <= last && keys.length < 4; k++) if (keys.indexOf(k) < 0) keys.push(k);
    }
    return Promise.all(keys.map(function (k) { return load("t" + k); })).then(function (shards) {
      var scores = new Map();
      function add(entryValue, factor) {
        var v = decode(entryValue[1]), doc = 0;
        for (var i = 0; i < v.length; i += 2) {
          doc += v[i];
          var s = entryValue[0] * v[i + 1] * factor;
          if (!(scores.get(doc) >= s)) scores.set(doc, s);
        }
      }
      var shard = shards[0];
      if (Object.prototype.hasOwnProperty.call(shard, term)) add(shard[term], 1);
      else if (term.length >= entry.weights.typoMinChars && !exactOnly) {
        Object.keys(shard).forEach(function (t) { if (Math.abs(t.length - term.length) <= 1 && editDistance(t, term) <= 1) add(shard[t], entry.weights.typo); });
      }
      if (rawPrefix) {
        var added = 0;
        shards.forEach(function (sh) {
          Object.keys(sh).forEach(function (t) { if (t !== term && t.indexOf(rawPrefix) === 0 && added++ < 50) add(sh[t], entry.weights.prefix); });
        });
      }
      return scores;
    });
  }

  // Documents holding the phrase `ts` (stemmed terms, 2 or more): those with every pair
  // of neighbouring terms next to each other. Pair shards are cut by (first, next).
  function phraseDocs(ts) {
    return load("pairs").then(function (starts) {
      function shardOfPair(a, b) {
        var lo = 0, hi = starts.length - 1, ans = 0;
        while (lo <= hi) {
          var mid = (lo + hi) >> 1, s = starts[mid];
          if (s[0] < a || (s[0] === a && s[1] <= b)) { ans = mid; lo = mid + 1; } else hi = mid - 1;
        }
        return ans;
      }
      var wanted = [];
      for (var i = 0; i + 1 < ts.length; i++) wanted.push([ts[i], ts[i + 1]]);
      return Promise.all(wanted.map(function (p) { return load("p" + shardOfPair(p[0], p[1])); })).then(function (shards) {
        var result = null;
        wanted.forEach(function (p, k) {
          var firsts = shards[k], docs = new Set(), doc = 0;
          var has = Object.prototype.hasOwnProperty;
          if (has.call(firsts, p[0]) && has.call(firsts[p[0]], p[1])) decode(firsts[p[0]][p[1]]).forEach(function (g) { doc += g; docs.add(doc); });
          result = result === null ? docs : new Set(Array.from(result).filter(function (d) { return docs.has(d); }));
        });
        var out = new Map();
        result.forEach(function (d) { out.set(d, 0); });
        return out;
      });
    });
  }

  function facetDocs(facet, value) {
    return load("f-" + facet).then(function (f) {
      var set = new Set(), doc = 0;
      if (Object.prototype.hasOwnProperty.call(f, value)) decode(f[value]).forEach(function (g) { doc += g; set.add(doc); });
      return set;
    });
  }

  // Documents are numbered newest first, so date filters are ranges [from, to).
  function dateRange(entry, field, value) {
    if (field === "year") {
      var y = entry.years.filter(function (r) { return String(r[0]) === value; })[0];
      return Promise.resolve(y ? [y[1], y[2]] : [0, 0]);
    }
    return load("dates").then(function (d) {
      var dated = entry.years.length ? entry.years[entry.years.length - 1][2] : 0;
      var split = dated;
      for (var i = 0; i < d.length; i += 2) if (d[i] < value) { split = d[i + 1]; break; }
      return field === "after" ? [0, split] : [split, dated];
    });
  }

  // ---- running a query ----
  function run(entry, text, filters) {
    var items = parseQuery(text);
    var typing = text.length > 0 && !/\s$/.test(text);
    var positive = [], negative = [], checks = [];
    items.forEach(function (item, index) {
      if (item.kind === "field") {
        if (item.field === "year" || item.field === "after" || item.field === "before") {
          checks.push(dateRange(entry, item.field, item.value).then(function (r) { return { negated: item.negated, test: function (doc) { return doc >= r[0] && doc < r[1]; } }; }));
        } else {
          checks.push(facetDocs(item.field, item.value).then(function (set) { return { negated: item.negated, test: function (doc) { return set.has(doc); } }; }));
        }
        return;
      }
      var ts = terms(item.value);
      if (!ts.length) return;
      var lastWord = typing && index === items.length - 1 && item.kind === "word" && !item.negated && ts.length === 1;
      var raw = lastWord ? item.value.toLowerCase() : "";
      var lookups = ts.map(function (t) { return termScores(entry, t, raw.length >= 3 ? raw : "", item.negated || ts.length > 1); });
      // A quoted phrase, or a word that splits in several (`connection-pool`), must
      // match as a phrase: its words next to each other, in order.
      if (ts.length > 1) lookups.push(phraseDocs(ts));
      var group = Promise.all(lookups);
      (item.negated ? negative : positive).push(group);
    });
    Object.keys(filters).forEach(function (field) {
      var value = filters[field];
      if (!value) return;
      if (field === "year") checks.push(dateRange(entry, "year", value).then(function (r) { return { negated: false, test: function (doc) { return doc >= r[0] && doc < r[1]; } }; }));
      else checks.push(facetDocs(field, value).then(function (set) { return { negated: false, test: function (doc) { return set.has(doc); } }; }));
    });
    return Promise.all([Promise.all(positive), Promise.all(negative), Promise.all(checks)]).then(function (parts) {
      // Each item: doc -> score, a phrase or multi-part word needing all its terms
      // (and its word pairs).
      function combine(maps) {
        var out = new Map();
        maps[0].forEach(function (s, doc) {
          var total = s;
          for (var i = 1; i < maps.length; i++) { if (!maps[i].has(doc)) return; total += maps[i].get(doc); }
          out.set(doc, total);
        });
        return out;
      }
      var pos = parts[0].map(combine), neg = parts[1].map(combine), tests = parts[2];
      function keep(doc) {
        for (var i = 0; i < neg.length; i++) if (neg[i].has(doc)) return false;
        for (var j = 0; j < tests.length; j++) if (tests[j].test(doc) === tests[j].negated) return false;
        return true;
      }
      var results = [];
      if (!pos.length) {
        for (var d = 0; d < entry.docs; d++) if (keep(d)) results.push([d, 0]);
        return results;
      }
      // Any word may match; matching every word doubles the score (as in the CLI).
      var scores = new Map(), matched = new Map();
      pos.forEach(function (m) {
        m.forEach(function (s, doc) {
          scores.set(doc, (scores.get(doc) || 0) + s);
          matched.set(doc, (matched.get(doc) || 0) + 1);
        });
      });
      scores.forEach(function (s, doc) {
        if (keep(doc)) results.push([doc, pos.length > 1 && matched.get(doc) === pos.length ? 2 * s : s]);
      });
      results.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
      return results;
    }).then(function (results) { return { results: results, items: items }; });
  }

  // ---- snippets ----
  function snippetParts(text, wanted, max) {
    var hits = tokens(text).filter(function (t) { return wanted.has(t.term); });
    var start = 0;
    var best = -1, bestCount = -1;
    for (var i = 0; i < hits.length; i++) {
      var seen = new Set(), count = 0;
      for (var j = i; j < hits.length && hits[j].end - hits[i].start <= max; j++) { seen.add(hits[j].term); count++; }
      if (seen.size > best || (seen.size === best && count > bestCount)) { best = seen.size; bestCount = count; start = Math.max(0, hits[i].start - Math.floor(max / 5)); }
    }
    if (start > 0) { var sp = text.lastIndexOf(" ", start); if (sp >= 0 && start - sp < 24) start = sp + 1; }
    var end = Math.min(text.length, start + max);
    if (end < text.length) { var se = text.lastIndexOf(" ", end); if (se > start && end - se < 24) end = se; }
    var parts = [], at = start;
    if (start > 0) parts.push(["…", false]);
    hits.forEach(function (h) {
      if (h.start < at || h.end > end) return;
      parts.push([text.slice(at, h.start), false], [text.slice(h.start, h.end), true]);
      at = h.end;
    });
    parts.push([text.slice(at, end), false]);
    if (end < text.length) parts.push(["…", false]);
    return parts;
  }

  // ---- page ----
  // Results shown at once (each needs its document file, a few KB): 5, like Pagefind.
  var PAGE = 5;
  var input, form, status, list, more, selects = {};
  var current = null, shown = 0, serial = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function filters() {
    var f = {};
    Object.keys(selects).forEach(function (k) { f[k] = selects[k].value; });
    return f;
  }

  function setStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle("search-error", !!isError);
  }

  function search(entry) {
    var mine = ++serial;
    var text = input.value;
    var f = filters();
    var anyFilter = Object.keys(f).some(function (k) { return f[k]; });
    try {
      var u = new URL(window.location.href);
      u.searchParams.set("q", text.trim());
      Object.keys(f).forEach(function (k) { if (f[k]) u.searchParams.set(k, f[k]); else u.searchParams.delete(k); });
      window.history.replaceState(null, "", u.toString());
    } catch (e) { /* file:// may refuse history changes; the search still works */ }
    if (!text.trim() && !anyFilter) {
      current = null;
      list.textContent = "";
      more.hidden = true;
      setStatus("Type to search " + entry.docs + " post-mortems.");
      return Promise.resolve();
    }
    var q;
    try { q = run(entry, text, f); } catch (e) {
      if (!e.query) throw e;
      setStatus(e.message, true);
      list.textContent = "";
      more.hidden = true;
      return Promise.resolve();
    }
    return q.then(function (r) {
      if (mine !== serial) return;
      var wanted = new Set();
      r.items.forEach(function (item) { if (!item.negated && item.kind !== "field") terms(item.value).forEach(function (t) { wanted.add(t); }); });
      current = { results: r.results, wanted: wanted };
      shown = 0;
      list.textContent = "";
      setStatus(r.results.length === 0 ? "No post-mortems match." : r.results.length === 1 ? "1 post-mortem matches." : r.results.length + " post-mortems match.");
      return showMore(entry, mine);
    }).catch(function (e) { if (mine === serial) setStatus(e.message, true); });
  }

  function showMore(entry, mine) {
    var batch = current.results.slice(shown, shown + PAGE);
    shown += batch.length;
    more.hidden = shown >= current.results.length;
    return Promise.all(batch.map(function (r) { return load(docFile(entry, Math.floor(r[0] / entry.group))); })).then(function (groups) {
      if (mine !== serial) return;
      batch.forEach(function (r, k) { list.appendChild(renderResult(groups[k][r[0] % entry.group], current.wanted)); });
    });
  }

  function renderResult(doc, wanted) {
    // doc = [id, title, date, severity, services, searchable text]
    var li = el("li", "search-result");
    var a = el("a", "search-title", doc[1]);
    a.href = "../incidents/" + encodeURIComponent(doc[0]) + "/index.html";
    li.appendChild(a);
    var meta = el("p", "search-meta");
    if (doc[2]) { var t = el("time", null, doc[2]); t.dateTime = doc[2]; meta.appendChild(t); }
    if (doc[3]) meta.appendChild(el("span", "search-severity", doc[3]));
    if (doc[4].length) meta.appendChild(el("span", "search-services", doc[4].join(", ")));
    li.appendChild(meta);
    if (doc[5]) {
      var p = el("p", "search-snippet");
      snippetParts(doc[5], wanted, 200).forEach(function (part) {
        if (!part[0]) return;
        p.appendChild(part[1] ? el("mark", null, part[0]) : document.createTextNode(part[0]));
      });
      li.appendChild(p);
    }
    return li;
  }

  function fillSelect(select, values, label) {
    values.forEach(function (v) {
      var o = el("option", null, v[1] + " (" + v[2] + ")");
      o.value = v[0];
      select.appendChild(o);
    });
    select.setAttribute("aria-label", label);
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll("a.search-title")); }

  function init() {
    input = document.getElementById("search-q");
    form = document.getElementById("search-form");
    status = document.getElementById("search-status");
    list = document.getElementById("search-results");
    more = document.getElementById("search-more");
    if (!input || !list) return;
    ["severity", "service", "cause", "year"].forEach(function (k) { var s = document.getElementById("search-" + k); if (s) selects[k] = s; });
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    setStatus("Loading the search index…");
    load("entry").then(function (entry) {
      if (selects.severity) fillSelect(selects.severity, entry.facets.severity, "Severity");
      if (selects.service) fillSelect(selects.service, entry.facets.service, "Service");
      if (selects.cause) fillSelect(selects.cause, entry.facets.cause, "Cause");
      if (selects.year) fillSelect(selects.year, entry.years.map(function (y) { return [String(y[0]), String(y[0]), y[2] - y[1]]; }), "Year");
      Object.keys(selects).forEach(function (k) {
        if (params.get(k)) selects[k].value = params.get(k).toLowerCase();
        selects[k].addEventListener("change", function () { search(entry); });
      });
      var timer = null;
      input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { search(entry); }, 120); });
      form.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); search(entry); });
      more.addEventListener("click", function () { showMore(entry, serial); });
      search(entry);
    }, function (e) { setStatus(e.message, true); });

    // `/` focuses the search box on every page: static/hindsight.js handles it.
    document.addEventListener("keydown", function (e) {
      var active = document.activeElement;
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
      var ls = links();
      if (!ls.length) return;
      var at = ls.indexOf(active);
      if (active !== input && at < 0) return;
      e.preventDefault();
      if (e.key === "ArrowDown") (at < 0 ? ls[0] : ls[Math.min(at + 1, ls.length - 1)]).focus();
      else if (at <= 0) input.focus();
      else ls[at - 1].focus();
    });
  }

  // For tests: the browser copy of the tokenizer and the query parser.
  window.hindsightSearch = { stem: stem, terms: terms, parseQuery: parseQuery };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();

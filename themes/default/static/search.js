// hindsight: search in the published archive, from static files only (works from disk).
// Index pieces are JavaScript files loaded with <script> tags (Chromium blocks fetch()
// of file:// URLs); each calls one of the window.hindsight* registration functions
// below. A query loads search/idx/entry.js once, the term shards of its words, the
// word-pair shards of its phrases, facet files only when it filters, and the document
// files of the results it shows (each with its whole text, compressed, for snippets). See
// src/search/static_index.rs for the format. Tokenizer, stop words and stemmer mirror
// src/text/ rule for rule. Data is only ever inserted with textContent.
(function () {
  "use strict";

  // ---- tokenizer, stop words and stemmer (keep identical to src/text/) ----
  // Stop words by tier (src/text/stop.rs): search drops the core tier (1); the taxonomy's
  // phrases drop the core and phrase tiers (2). The features tier never reaches the browser.
  var STOP = {};
  ["an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had", "has", "have", "in", "into", "is", "it", "its", "of", "on",
    "or", "our", "so", "that", "the", "their", "this", "to", "was", "were", "with"].forEach(function (w) { STOP[w] = 1; });
  ["all", "also", "being", "both", "could", "did", "do", "does", "each", "her", "his", "itself", "just", "my", "one", "onto", "should",
    "some", "still", "themselves", "then", "these", "they", "those", "very", "we", "which", "who", "will", "would", "your"].forEach(function (w) { STOP[w] = 2; });
  var WORD = /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]+/gu;
  // Step 2 of the stemmer: the first ending that leaves enough letters goes.
  var ENDINGS = [["ization", "ize"], ["ational", "ate"], ["ation", ""], ["ition", ""], ["ness", ""], ["ment", ""], ["ing", ""], ["ion", ""],
    ["ed", ""], ["ly", ""], ["ity", ""], ["ive", ""], ["y", ""], ["e", ""]];

  function endsWith(w, s) { return w.length >= s.length && w.slice(w.length - s.length) === s; }

  function stem(word) {
    if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
    var w = word;
    if ((endsWith(w, "ies") || endsWith(w, "ied")) && w.length > 4) w = w.slice(0, -3) + "y";
    else if (endsWith(w, "sses")) w = w.slice(0, -2);
    else if (endsWith(w, "s") && !endsWith(w, "ss") && !endsWith(w, "us") && !endsWith(w, "is")) w = w.slice(0, -1);
    var cut = ending(w);
    if (cut) {
      w = cut[0];
      if ((cut[1] === "ing" || cut[1] === "ed") && /[nty]$/.test(w)) {
        var again = ending(w);
        if (again) w = again[0];
      }
    }
    var n = w.length;
    if (n > 3 && w[n - 1] === w[n - 2] && "lszaeiou".indexOf(w[n - 1]) < 0) w = w.slice(0, -1);
    if (endsWith(w, "e") && !endsWith(w, "ee") && w.length > 3) w = w.slice(0, -1);
    return w;
  }

  // [word without the first ending that leaves enough letters, the ending], or null.
  function ending(w) {
    for (var i = 0; i < ENDINGS.length; i++) {
      var end = ENDINGS[i][0], replacement = ENDINGS[i][1];
      if (!endsWith(w, end)) continue;
      var base = w.slice(0, w.length - end.length);
      if (base.length + replacement.length < (end.length <= 2 && end !== "ed" ? 4 : 3)) continue;
      if (end === "ion" && !/[tsx]$/.test(base)) continue;
      if (end === "y" && /[aeiouy]$/.test(base)) continue;
      if (end === "ed" && endsWith(base, "e")) continue;
      return [base + replacement, end];
    }
    return null;
  }

  // Every word of a text with UTF-16 offsets: [{start, end, lower}].
  function words(text) {
    var out = [];
    var m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text)) !== null) {
      var chars = Array.from(m[0]).length;
      if (chars < 2 || chars > 40) continue;
      out.push({ start: m.index, end: m.index + m[0].length, lower: m[0].toLowerCase() });
    }
    return out;
  }

  // Search tokens: words that are not core stop words, stemmed: [{start, end, term}].
  function tokens(text) {
    return words(text).filter(function (w) { return STOP[w.lower] !== 1; }).map(function (w) {
      return { start: w.start, end: w.end, term: stem(w.lower) };
    });
  }

  function terms(text) { return tokens(text).map(function (t) { return t.term; }); }

  // Optimal string alignment distance (a swap of neighbours is one edit), as
  // src/words.rs edit_distance.
  function editDistance(a, b) {
    var rows = [[]], i, j;
    for (j = 0; j <= b.length; j++) rows[0].push(j);
    for (i = 1; i <= a.length; i++) {
      var row = [i];
      for (j = 1; j <= b.length; j++) {
        var v = Math.min(rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1), rows[i - 1][j] + 1, row[j - 1] + 1);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2][j - 2] + 1);
        row.push(v);
      }
      rows.push(row);
    }
    return rows[a.length][b.length];
  }

  // ---- query language (the CLI's, plus year:) ----
  var FIELDS = ["cause", "service", "team", "severity", "tag", "status", "year", "after", "before"];

  // Returns the alternatives (separated by a standalone upper-case OR), each a list of
  // items, as the CLI's src/search/query.rs does.
  function parseQuery(text) {
    var alternatives = [], items = [], i = 0, n = text.length, openOr = -1;
    function fail(at, msg) { var e = new Error("query:" + (at + 1) + ": " + msg); e.query = true; throw e; }
    function quoted(at) {
      var end = text.indexOf('"', at + 1);
      if (end < 0) fail(at, "unterminated phrase; expected a closing \"");
      return { value: text.slice(at + 1, end), next: end + 1 };
    }
    while (i < n) {
      if (/\s/.test(text[i])) { i++; continue; }
      var start = i, negated = text[i] === "-", item;
      if (text.slice(i, i + 2) === "OR" && (i + 2 >= n || /\s/.test(text[i + 2]))) {
        if (!items.length) fail(start, "`OR` needs something before it; expected e.g. cause:dns OR cause:bgp");
        alternatives.push(items);
        items = [];
        openOr = start;
        i += 2;
        continue;
      }
      openOr = -1;
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
          if (name === "year" && !/^[1-9]\d{3}$/.test(value)) fail(ws + name.length + 1, "bad year `" + value + "` for `year:`; expected YYYY, e.g. year:2025");
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
    if (openOr >= 0) fail(openOr, "`OR` needs something after it; expected e.g. cause:dns OR cause:bgp");
    alternatives.push(items);
    return alternatives;
  }

  // ---- causes: the taxonomy's words and phrase matcher over the words above (keep
  // identical to src/taxonomy/mod.rs: tokenize, normalise_name, Matcher, match_query) ----
  var NT = /^['\u2019][tT](?![\p{Alphabetic}\p{N}])/u;
  // Stop words everywhere else, but words for phrases: they join clauses (is_conjunction).
  var CONJUNCTION = /^(and|or|but|so)$/;

  // The taxonomy's words: the shared words and stems, phrase-tier stop words but for
  // conjunctions, and negations (a word of the list, or the `didn` of `didn't`).
  function taxWords(tax, text) {
    return words(text).map(function (w) {
      return {
        lower: w.lower, stem: stem(w.lower), stop: STOP[w.lower] !== undefined && !CONJUNCTION.test(w.lower),
        neg: tax.negSet.has(w.lower) || (endsWith(w.lower, "n") && NT.test(text.slice(w.end)))
      };
    });
  }

  function normaliseName(name) {
    var out = "";
    Array.from(name.trim()).forEach(function (c) {
      if (/[\p{Alphabetic}\p{N}]/u.test(c)) out += c.toLowerCase();
      else if (out && !endsWith(out, "-")) out += "-";
    });
    return out.replace(/-+$/, "");
  }

  function prepareTaxonomy(tax) {
    if (tax.byStem) return tax;
    tax.negSet = new Set(tax.negations);
    tax.byStem = new Map();
    tax.prefixed = [];
    tax.patterns.forEach(function (p, id) {
      p[2][0][0].forEach(function (alt) {
        if (endsWith(alt, "*")) tax.prefixed.push([alt.slice(0, -1), id]);
        else { if (!tax.byStem.has(alt)) tax.byStem.set(alt, []); tax.byStem.get(alt).push(id); }
      });
    });
    return tax;
  }

  function altMatches(alts, w) {
    return alts.some(function (a) { return endsWith(a, "*") ? w.lower.indexOf(a.slice(0, -1)) === 0 : a === w.stem; });
  }

  // Index of the last word matched by slots si.. starting at pos, or -1.
  function matchRest(slots, si, pos, words) {
    if (si === slots.length) return pos - 1;
    var slot = slots[si], limit = Math.min(pos + slot[2] + 1, words.length);
    for (var j = pos; j < limit; j++) {
      if (altMatches(slot[0], words[j])) { var end = matchRest(slots, si + 1, j + 1, words); if (end >= 0) return end; }
      if (words[j].neg) break; // a gap never skips a negation
    }
    return slot[1] ? matchRest(slots, si + 1, pos, words) : -1;
  }

  // Classes the query's words name or describe, as [classIndex, score], best first,
  // those scoring at least entry.weights.causeMin, at most causeMax of them.
  function describedClasses(entry, tax, text) {
    if (!text.trim()) return [];
    var scores = new Map();
    var whole = tax.names[normaliseName(text)];
    if (whole !== undefined) scores.set(whole, 1);
    var content = taxWords(tax, text).filter(function (w) { return !w.stop; });
    content.forEach(function (w, i) {
      var candidates = new Set(tax.byStem.get(w.stem) || []);
      tax.prefixed.forEach(function (pp) { if (w.lower.indexOf(pp[0]) === 0) candidates.add(pp[1]); });
      candidates.forEach(function (id) {
        var p = tax.patterns[id];
        if (matchRest(p[2], 1, i + 1, content) < 0) return;
        var score = p[1] * 0.95;
        if (!(scores.get(p[0]) >= score)) scores.set(p[0], score);
      });
    });
    // A name inside a longer query: "dns broken", "memory leak in the api".
    for (var n = 1; n <= 3; n++) {
      for (var k = 0; k + n <= content.length; k++) {
        var cls = tax.names[normaliseName(content.slice(k, k + n).map(function (w) { return w.lower; }).join(" "))];
        var named = n === 1 ? tax.namedWord : tax.namedWords;
        if (cls !== undefined && !(scores.get(cls) >= named)) scores.set(cls, named);
      }
    }
    var out = [];
    scores.forEach(function (score, cls) { if (score >= entry.weights.causeMin - 1e-9) out.push([cls, score]); });
    out.sort(function (a, b) { return b[1] - a[1] || (tax.classes[a[0]][0] < tax.classes[b[0]][0] ? -1 : 1); });
    return out.slice(0, entry.weights.causeMax);
  }

  // The class ids a `cause:` value names: a class (id, alias, title) or a family.
  function namedClasses(tax, value) {
    var key = normaliseName(value);
    if (tax.names[key] !== undefined) return [tax.classes[tax.names[key]][0]];
    return (tax.families[key] || []).map(function (i) { return tax.classes[i][0]; });
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
  // A document file: [id, title, date, severity, services] per document, then their
  // texts packed (a JSON array, zlib, base 64); each document gets its text as doc[5].
  window.hindsightDocs = function (g, d, packed) {
    var key = docFile(cache.entry, g);
    unpackTexts(packed).then(function (texts) {
      d.forEach(function (doc, k) { doc.push(texts && typeof texts[k] === "string" ? texts[k] : ""); });
      settle(key, d);
    });
  };
  window.hindsightCauses = function (d) { settle("causes", d); };
  // Documents come in groups of entry.group, group files in folders of entry.folder.
  function docFile(entry, group) { return "x/" + Math.floor(group / entry.folder) + "/" + group; }

  // The texts of a document file, or null where the browser cannot inflate them (no
  // DecompressionStream): the results are then shown without snippets.
  function unpackTexts(packed) {
    if (typeof DecompressionStream === "undefined" || typeof packed !== "string") return Promise.resolve(null);
    try {
      var binary = atob(packed), bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
      return new Response(stream).text().then(JSON.parse).catch(function () { return null; });
    } catch (e) {
      return Promise.resolve(null);
    }
  }

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
      scores.exact = Object.prototype.hasOwnProperty.call(shard, term);
      if (scores.exact) add(shard[term], 1);
      else if (term.length >= entry.weights.typoMinChars && !exactOnly) {
        Object.keys(shard).forEach(function (t) { if (Math.abs(t.length - term.length) <= 1 && editDistance(t, term) <= 1) add(shard[t], entry.weights.typo); });
      }
      if (rawPrefix) {
        var added = 0;
        shards.forEach(function (sh) {
          Object.keys(sh).forEach(function (t) { if (t !== term && t.indexOf(rawPrefix) === 0 && added++ < 50) { add(sh[t], entry.weights.prefix); scores.completed = true; } });
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

  // Documents are numbered oldest first (undated ones before them), so date filters are
  // ranges [from, to); `dates` holds each distinct date, ascending, with its first document.
  function dateRange(entry, field, value) {
    if (field === "year") {
      var y = entry.years.filter(function (r) { return String(r[0]) === value; })[0];
      return Promise.resolve(y ? [y[1], y[2]] : [0, 0]);
    }
    return load("dates").then(function (d) {
      var from = d.length ? d[1] : 0, to = entry.docs;
      var split = to;
      for (var i = 0; i < d.length; i += 2) if (d[i] >= value) { split = d[i + 1]; break; }
      return field === "after" ? [split, to] : [from, split];
    });
  }

  // ---- running a query ----
  // Documents holding the cause label `value`, or a class of the taxonomy it names.
  function causeDocs(entry, tax, value) {
    var classes = namedClasses(tax, value);
    return Promise.all([facetDocs("cause", value)].concat(classes.map(function (c) { return facetDocs("class", c); }))).then(function (sets) {
      var all = new Set();
      sets.forEach(function (set) { set.forEach(function (d) { all.add(d); }); });
      return { docs: all, known: classes.length > 0 };
    });
  }

  function hasFacetValue(entry, facet, value) {
    return (entry.facets[facet] || []).some(function (v) { return v[0] === value; });
  }

  // Up to three terms of the index nearest to `word` (found nowhere), from the shards
  // where its stem and its lower-case form would be: closest first, then most common.
  function nearestTerms(entry, word) {
    var lower = word.toLowerCase(), st = terms(word)[0] || lower;
    var max = Array.from(lower).length <= 7 ? 1 : 2;
    var keys = [shardOf(entry, st), shardOf(entry, lower)];
    return Promise.all(keys.map(function (k) { return load("t" + k); })).then(function (shards) {
      var found = new Map();
      shards.forEach(function (shard) {
        Object.keys(shard).forEach(function (t) {
          if (t.length < 3 || Math.min(Math.abs(t.length - lower.length), Math.abs(t.length - st.length)) > max) return;
          // The word as typed counts before its stem (which may be cut short).
          var d = Math.min(editDistance(lower, t), editDistance(st, t) + 1);
          if (d > max) return;
          var docs = decode(shard[t][1]).length / 2;
          var old = found.get(t);
          if (!old || old[1] < docs) found.set(t, [d, docs]);
        });
      });
      return Array.from(found.entries()).sort(function (a, b) { return a[1][0] - b[1][0] || b[1][1] - a[1][1] || (a[0] < b[0] ? -1 : 1); }).slice(0, 3).map(function (e) { return e[0]; });
    });
  }

  function run(entry, text, filters) {
    var alternatives = parseQuery(text);
    var needsTaxonomy = alternatives.some(function (items) { return items.some(function (it) { return it.kind === "word" || it.field === "cause"; }); }) || !!filters.cause;
    var taxonomy = needsTaxonomy ? load("causes").then(prepareTaxonomy) : Promise.resolve(null);
    return taxonomy.then(function (tax) {
      var notices = [], unknown = [];
      function notice(n) { if (notices.indexOf(n) < 0) notices.push(n); }
      var typingAt = text.length > 0 && !/\s$/.test(text) ? alternatives.length - 1 : -1;
      var runs = alternatives.map(function (items, a) {
        return runAlternative(entry, tax, items, a === typingAt, a === 0 ? filters : {}, notice, unknown);
      });
      return Promise.all(runs).then(function (lists) {
        return Promise.all(unknown.map(function (w) { return nearestTerms(entry, w); })).then(function (near) {
          unknown.forEach(function (w, k) {
            notice(near[k].length ? "`" + w + "` is in no post-mortem; did you mean " + near[k].join(", ") + "?" : "`" + w + "` is in no post-mortem");
          });
          // A result matches any alternative; its scores add up, as in the CLI.
          var total = new Map(), byDate = lists.every(function (l) { return !l.scored; });
          lists.forEach(function (l) { l.results.forEach(function (r) { total.set(r[0], (total.get(r[0]) || 0) + r[1]); }); });
          var results = Array.from(total.entries());
          // Newest first: the highest document number is the newest.
          results.sort(byDate ? function (a, b) { return b[0] - a[0]; } : function (a, b) { return b[1] - a[1] || b[0] - a[0]; });
          var items = [].concat.apply([], alternatives);
          return { results: results, items: items, notices: notices, suggestions: unknown.map(function (w, k) { return [w, near[k]]; }) };
        });
      });
    });
  }

  function runAlternative(entry, tax, items, typing, filters, notice, unknown) {
    var positive = [], negative = [], checks = [], described = "";
    function causeCheck(value, negated) {
      if (!entry.facets.cause.length) notice("no post-mortem of this archive has a cause label (`causes:`); `cause:` searches the causes inferred from their text");
      return causeDocs(entry, tax, value).then(function (r) {
        if (!r.known && !hasFacetValue(entry, "cause", value)) notice("no post-mortem has the cause `" + value + "`, and the taxonomy knows no such cause");
        return { negated: negated, test: function (doc) { return r.docs.has(doc); } };
      });
    }
    items.forEach(function (item, index) {
      if (item.kind === "field") {
        if (item.field === "year" || item.field === "after" || item.field === "before") {
          checks.push(dateRange(entry, item.field, item.value).then(function (r) { return { negated: item.negated, test: function (doc) { return doc >= r[0] && doc < r[1]; } }; }));
        } else if (item.field === "cause") {
          checks.push(causeCheck(item.value, item.negated));
        } else {
          checks.push(facetDocs(item.field, item.value).then(function (set) { return { negated: item.negated, test: function (doc) { return set.has(doc); } }; }));
        }
        return;
      }
      var ts = terms(item.value);
      if (!ts.length) return;
      // Unquoted words may name a cause; a quoted phrase means these words.
      if (!item.negated && item.kind === "word") described += item.value + " ";
      var lastWord = typing && index === items.length - 1 && item.kind === "word" && !item.negated && ts.length === 1;
      var raw = lastWord ? item.value.toLowerCase() : "";
      var lookups = ts.map(function (t) { return termScores(entry, t, raw.length >= 3 ? raw : "", item.negated || ts.length > 1); });
      // A quoted phrase, or a word that splits in several (`connection-pool`), must
      // match as a phrase: its words next to each other, in order.
      if (ts.length > 1) lookups.push(phraseDocs(ts));
      var group = Promise.all(lookups);
      if (item.kind === "word" && ts.length === 1 && !item.negated) {
        group = group.then(function (maps) {
          // Found nowhere as typed (typo neighbours aside), nor the start of a word.
          if (!maps[0].exact && !maps[0].completed && unknown.indexOf(item.value) < 0) unknown.push(item.value);
          return maps;
        });
      }
      (item.negated ? negative : positive).push(group);
    });
    Object.keys(filters).forEach(function (field) {
      var value = filters[field];
      if (!value) return;
      if (field === "year") checks.push(dateRange(entry, "year", value).then(function (r) { return { negated: false, test: function (doc) { return doc >= r[0] && doc < r[1]; } }; }));
      else if (field === "cause") checks.push(causeCheck(value, false));
      else checks.push(facetDocs(field, value).then(function (set) { return { negated: false, test: function (doc) { return set.has(doc); } }; }));
    });
    // Words that name or describe a cause also find the incidents of that cause, and,
    // for less, those whose text only suggests it (its possible classes), as in the CLI.
    var classes = tax ? describedClasses(entry, tax, described).filter(function (c) {
      var id = tax.classes[c[0]][0];
      return hasFacetValue(entry, "class", id) || hasFacetValue(entry, "class-possible", id);
    }) : [];
    var causeSets = Promise.all(classes.map(function (c) {
      var cls = tax.classes[c[0]], score = entry.weights.cause * c[1];
      notice("`" + described.trim() + "` reads as the cause “" + cls[1] + "” (" + cls[0] + "): post-mortems of that cause, labelled or inferred, match too");
      // Only the lists that hold the class are loaded (a labelled archive has no possible classes).
      var docsOf = function (facet) { return hasFacetValue(entry, facet, cls[0]) ? facetDocs(facet, cls[0]) : Promise.resolve(new Set()); };
      return Promise.all([docsOf("class"), docsOf("class-possible")]).then(function (sets) {
        return [[sets[0], score], [sets[1], score * entry.weights.causePossible]];
      });
    })).then(function (pairs) { return [].concat.apply([], pairs); });
    return Promise.all([Promise.all(positive), Promise.all(negative), Promise.all(checks), causeSets]).then(function (parts) {
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
      var pos = parts[0].map(combine), neg = parts[1].map(combine), tests = parts[2], causes = parts[3];
      function keep(doc) {
        for (var i = 0; i < neg.length; i++) if (neg[i].has(doc)) return false;
        for (var j = 0; j < tests.length; j++) if (tests[j].test(doc) === tests[j].negated) return false;
        return true;
      }
      var results = [];
      if (!pos.length && !causes.length) {
        for (var d = 0; d < entry.docs; d++) if (keep(d)) results.push([d, 0]);
        return { results: results, scored: false };
      }
      // Any word may match; matching every word doubles the score (as in the CLI).
      var scores = new Map(), matched = new Map();
      pos.forEach(function (m) {
        m.forEach(function (s, doc) {
          scores.set(doc, (scores.get(doc) || 0) + s);
          matched.set(doc, (matched.get(doc) || 0) + 1);
        });
      });
      scores.forEach(function (s, doc) { if (pos.length > 1 && matched.get(doc) === pos.length) scores.set(doc, 2 * s); });
      causes.forEach(function (c) { c[0].forEach(function (doc) { scores.set(doc, (scores.get(doc) || 0) + c[1]); }); });
      scores.forEach(function (s, doc) { if (keep(doc)) results.push([doc, s]); });
      return { results: results, scored: true };
    });
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
  var input, form, status, notices, list, more, selects = {};
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
    notices.textContent = "";
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
      showNotices(r, text);
      setStatus(r.results.length === 0 ? "No post-mortems match." : r.results.length === 1 ? "1 post-mortem matches." : r.results.length + " post-mortems match.");
      return showMore(entry, mine);
    }).catch(function (e) { if (mine === serial) setStatus(e.message, true); });
  }

  // What the search read into the query; a word found nowhere offers its nearest
  // words as links that search again with the word replaced.
  function showNotices(r, text) {
    r.notices.forEach(function (n) {
      var li = el("li", null, n);
      var suggestion = r.suggestions.filter(function (s) { return n.indexOf("`" + s[0] + "` is in no") === 0; })[0];
      if (suggestion && suggestion[1].length) {
        li.textContent = "`" + suggestion[0] + "` is in no post-mortem; did you mean ";
        suggestion[1].forEach(function (word, k) {
          if (k) li.appendChild(document.createTextNode(", "));
          var a = el("a", "search-suggestion", word);
          var replaced = text.split(/(\s+)/).map(function (part) { return part === suggestion[0] ? word : part; }).join("");
          a.href = "?q=" + encodeURIComponent(replaced.trim());
          a.addEventListener("click", function (e) { e.preventDefault(); input.value = replaced.trim(); input.dispatchEvent(new Event("input")); });
          li.appendChild(a);
        });
        li.appendChild(document.createTextNode("?"));
      }
      notices.appendChild(li);
    });
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
    notices = document.getElementById("search-notices");
    if (!notices && list) { notices = el("ul", "search-notices"); notices.id = "search-notices"; list.parentNode.insertBefore(notices, list); }
    more = document.getElementById("search-more");
    if (!input || !list) return;
    ["severity", "service", "cause", "year"].forEach(function (k) { var s = document.getElementById("search-" + k); if (s) selects[k] = s; });
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    setStatus("Loading the search index…");
    load("entry").then(function (entry) {
      if (selects.severity) fillSelect(selects.severity, entry.facets.severity, "Severity");
      if (selects.service) fillSelect(selects.service, entry.facets.service, "Service");
      // Without cause labels, the causes inferred from the text (marked as such).
      if (selects.cause) fillSelect(selects.cause, entry.facets.cause.length ? entry.facets.cause : entry.facets.class.map(function (v) { return [v[0], v[1] + " (inferred)", v[2]]; }), "Cause");
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
  window.hindsightSearch = {
    stem: stem, terms: terms, parseQuery: parseQuery,
    causeWords: function (text) {
      return load("causes").then(function (d) {
        return taxWords(prepareTaxonomy(d), text).map(function (w) { return [w.lower, w.stem, w.stop, w.neg]; });
      });
    },
    describedClasses: function (text) {
      return Promise.all([load("entry"), load("causes")]).then(function (d) {
        var tax = prepareTaxonomy(d[1]);
        return describedClasses(d[0], tax, text).map(function (c) { return [tax.classes[c[0]][0], c[1]]; });
      });
    }
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();

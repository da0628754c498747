// hindsight: progressive enhancement for every page. Without JavaScript every table is
// complete and readable; with it, `data-sortable` tables get sortable column headers,
// `data-filterable` tables a filter bar, list badges their explanation as a tooltip,
// an incident's milestone list its bar, and `/` focuses the search box (the search
// page's own box, else the one in the header). No network, no dependencies.
(function () {
  "use strict";

  // A cell's sort key: its `data-sort`, else the text of the element the column's
  // `data-sort-key` selects in it (a title without its badges), else its text.
  function cellValue(row, index, type, key) {
    var cell = row.cells[index];
    if (!cell) return type === "number" ? NaN : "";
    var keyed = !cell.hasAttribute("data-sort") && key ? cell.querySelector(key) : null;
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : (keyed || cell).textContent.trim();
    if (type === "number") return raw === "" ? NaN : parseFloat(raw);
    return raw.toLowerCase();
  }

  function compare(a, b, type) {
    if (type === "number") {
      var an = isNaN(a), bn = isNaN(b);
      if (an || bn) return an === bn ? 0 : an ? 1 : -1; // unknown values sort last
      return a - b;
    }
    if (a === b) return 0;
    if (a === "") return 1;
    if (b === "") return -1;
    return a < b ? -1 : 1;
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      var type = th.getAttribute("data-sort-type"), key = th.getAttribute("data-sort-key");
      if (!type) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.forEach(function (r, i) { r._order = i; });
        rows.sort(function (a, b) {
          var c = compare(cellValue(a, index, type, key), cellValue(b, index, type, key), type);
          if (!ascending) c = -c;
          return c || a._order - b._order;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function option(select, value, label) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    select.appendChild(o);
  }

  function labelled(text, control) {
    var label = document.createElement("label");
    label.appendChild(document.createTextNode(text));
    label.appendChild(control);
    return label;
  }

  function makeFilterable(table) {
    var body = table.tBodies[0];
    if (!body || body.rows.length < 2) return;
    var rows = Array.prototype.slice.call(body.rows);
    var bar = document.createElement("div");
    bar.className = "filter-bar";
    var text = document.createElement("input");
    text.type = "search";
    text.placeholder = "Title, service, cause…";
    var severity = document.createElement("select");
    option(severity, "", "All");
    var seen = {};
    rows.forEach(function (r) {
      var s = r.getAttribute("data-severity");
      if (s && !seen[s]) { seen[s] = true; option(severity, s, s); }
    });
    var kind = document.createElement("select");
    option(kind, "", "All");
    option(kind, "incident", "Incidents");
    option(kind, "near-miss", "Near misses");
    var count = document.createElement("output");
    count.setAttribute("aria-live", "polite");
    bar.appendChild(labelled("Filter", text));
    bar.appendChild(labelled("Severity", severity));
    bar.appendChild(labelled("Kind", kind));
    bar.appendChild(count);
    var wrap = table.closest(".table-wrap") || table;
    wrap.parentNode.insertBefore(bar, wrap);

    function apply() {
      var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (r) {
        var hay = r.textContent.toLowerCase();
        var ok = words.every(function (w) { return hay.indexOf(w) !== -1; }) &&
          (!severity.value || r.getAttribute("data-severity") === severity.value) &&
          (!kind.value || r.getAttribute("data-kind") === kind.value);
        r.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown + " of " + rows.length + " shown";
    }
    text.addEventListener("input", apply);
    severity.addEventListener("change", apply);
    kind.addEventListener("change", apply);
    apply();
  }

  // `/` jumps to search, unless the reader is typing somewhere already.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var active = document.activeElement;
    if (active && (active.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName))) return;
    var box = document.getElementById("search-q") || document.getElementById("site-search-q");
    if (!box) return;
    e.preventDefault();
    box.focus();
    box.select();
  });

  // An incident's milestone list (`data-pct` on each item) gets its bar above it: a
  // track with a dot per milestone at its place, the list's words as the dot's tooltip.
  // The bar only repeats the list, for the eye, so it is drawn here rather than sent
  // with every page.
  function drawMilestoneBars() {
    Array.prototype.forEach.call(document.querySelectorAll("dl.milestone-list"), function (list) {
      var bar = document.createElement("div");
      bar.className = "milestones";
      bar.setAttribute("aria-hidden", "true");
      var track = document.createElement("div");
      track.className = "milestone-track";
      bar.appendChild(track);
      Array.prototype.forEach.call(list.children, function (item) {
        var pct = item.getAttribute("data-pct"), dot = item.querySelector(".dot");
        var dt = item.querySelector("dt"), dd = item.querySelector("dd");
        if (pct === null || !dot || !dt || !dd) return;
        var mark = document.createElement("span");
        mark.className = dot.className.replace(/(^|\s)dot(\s|$)/, "$1milestone$2");
        mark.style.left = pct + "%";
        mark.title = dt.textContent.trim() + ": " + dd.textContent.trim();
        bar.appendChild(mark);
      });
      if (bar.children.length > 1) list.parentNode.insertBefore(bar, list);
    });
  }

  // The fixed explanations of list badges, written once here instead of in every row.
  var BADGE_TITLES = {
    "near-miss": "Near miss: no impact on customers",
    "repeat": "Repeats an earlier incident with the same cause"
  };

  function explainBadges() {
    Object.keys(BADGE_TITLES).forEach(function (kind) {
      Array.prototype.forEach.call(document.querySelectorAll("table.incidents .badge." + kind + ":not([title])"), function (badge) {
        badge.title = BADGE_TITLES[kind];
      });
    });
  }

  // The script is deferred: the page is parsed when it runs, so the bars are drawn now.
  drawMilestoneBars();

  document.addEventListener("DOMContentLoaded", function () {
    explainBadges();
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("table[data-filterable]"), makeFilterable);
  });
})();

// Sorts the summary table by the column whose header is clicked: numbers
// (with SI prefixes, as the cells print them) by value, the rest as text;
// cells without a figure ("-") go last. Without JavaScript the table
// keeps the report's own order.
(function () {
  var scale = {T: 1e12, n: 1e-9, "\u00b5": 1e-6, "\u03bc": 1e-6, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9};
  function key(text, numeric) {
    var t = text.trim();
    if (t === "" || t === "-" || t === "?") return null;
    if (!numeric) return t.toLowerCase();
    if (t === "\u221e") return Infinity;
    var m = /[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?/.exec(t);
    if (!m) return null;
    var v = parseFloat(m[0]), rest = t.slice(m.index + m[0].length);
    if (scale[rest.charAt(0)] && /^.(s|$)/.test(rest)) v *= scale[rest.charAt(0)];
    return v;
  }
  // For the browser test, which checks the keys of sample cells.
  window.parbenchSortKey = key;
  function compare(a, b) {
    if (a === null || b === null) return (a === null) - (b === null);
    if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
    return typeof a === "number" ? -1 : 1;
  }
  // A printout shows the folded timelines too.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var body = table.tBodies[0];
    var original = Array.prototype.slice.call(body.rows);
    table.querySelectorAll("thead th").forEach(function (th, col) {
      var numeric = th.classList.contains("num");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      button.title = "sort by " + th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var rows = original.slice();
        rows.sort(function (x, y) {
          var a = key(x.cells[col].textContent, numeric), b = key(y.cells[col].textContent, numeric);
          if (a === null || b === null) return compare(a, b);
          var c = compare(a, b);
          return dir === "ascending" ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();

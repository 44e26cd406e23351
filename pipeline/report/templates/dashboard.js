/* The nightly dashboard: sort the units by any column (click its heading; again for the other
   direction) and filter them by a word of the unit's name, folder, failing minimum or flag code.
   Without JS the table is shown as written, sorted by folder. */
(function () {
  "use strict";
  var table = document.getElementById("units");
  var body = table.tBodies[0];
  var input = document.getElementById("f-q");
  var status = document.getElementById("filter-status");
  var empty = document.getElementById("filter-empty");
  var heads = table.tHead.rows[0].cells;

  function key(row, col, numeric) {
    var v = row.cells[col].getAttribute("data-sort") || "";
    if (!numeric) return v;
    return v === "" ? null : parseFloat(v);
  }

  function sortBy(col) {
    var th = heads[col];
    var numeric = th.getAttribute("data-type") === "num";
    // Numbers start high (most errors, best score first), text starts A-Z.
    var current = th.getAttribute("aria-sort");
    var dir = current ? (current === "ascending" ? -1 : 1) : (numeric ? -1 : 1);
    Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, col, numeric), y = key(b, col, numeric);
      if (x === null || y === null) return x === y ? 0 : (x === null ? 1 : -1);  // blanks last
      if (numeric) return dir * (x - y);
      return dir * x.localeCompare(y);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function filter() {
    var q = (input.value || "").trim().toLowerCase();
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (r) {
      var ok = !q || (r.getAttribute("data-filter") || "").indexOf(q) >= 0;
      r.hidden = !ok;
      if (ok) shown += 1;
    });
    var template = status && status.getAttribute("data-template");
    if (template) {
      status.textContent = template.replace("{shown}", String(shown)).replace("{total}", String(body.rows.length));
    }
    if (empty) empty.hidden = shown > 0;
    document.documentElement.setAttribute("data-shown", String(shown));
  }

  Array.prototype.forEach.call(heads, function (th, col) {
    var button = th.querySelector("button");
    if (button) button.addEventListener("click", function () { sortBy(col); });
  });
  input.addEventListener("input", filter);
  document.getElementById("filters").hidden = false;
  filter();
  document.documentElement.setAttribute("data-ready", "1");
})();

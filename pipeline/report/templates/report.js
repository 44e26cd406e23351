/* Filters for report.html. Without JS the page shows everything; with JS a reviewer narrows
   flags, indicator rows and documents by severity, area, flag code and file name. The filter
   state lives in the URL fragment (#severity=error&area=1&code=UNSIGNED&q=sk) so a filtered view
   can be bookmarked, shared, or opened by a headless browser. */
(function () {
  "use strict";
  var cfg = {};
  try {
    cfg = JSON.parse(document.getElementById("bukti-data").textContent || "{}");
  } catch (e) {
    cfg = {};
  }
  var KEYS = ["severity", "area", "code", "q"];
  var form = document.getElementById("filters");
  var controls = {
    severity: document.getElementById("f-severity"),
    area: document.getElementById("f-area"),
    code: document.getElementById("f-code"),
    q: document.getElementById("f-q")
  };
  var status = document.getElementById("filter-status");
  var empty = document.getElementById("filter-empty");

  function words(el, name) {
    var v = el.getAttribute(name);
    return v ? v.split(" ") : [];
  }

  function state() {
    var st = {};
    KEYS.forEach(function (k) {
      st[k] = controls[k] ? controls[k].value.trim() : "";
    });
    return st;
  }

  function matches(el, st, kind) {
    if (st.area && words(el, "data-area").indexOf(st.area) < 0) return false;
    if (kind === "flag") {
      if (st.severity && el.getAttribute("data-severity") !== st.severity) return false;
      if (st.code && el.getAttribute("data-code") !== st.code) return false;
    } else {
      if (st.severity && words(el, "data-severities").indexOf(st.severity) < 0) return false;
      if (st.code && words(el, "data-codes").indexOf(st.code) < 0) return false;
    }
    if (st.q && (el.getAttribute("data-files") || "").indexOf(st.q.toLowerCase()) < 0) return false;
    return true;
  }

  function show(el, visible) {
    el.classList.toggle("is-filtered-out", !visible);
  }

  function apply() {
    var st = state();
    var shown = 0;
    var flags = document.querySelectorAll("article.flag");
    Array.prototype.forEach.call(flags, function (el) {
      var ok = matches(el, st, "flag");
      show(el, ok);
      if (ok) shown += 1;
    });
    Array.prototype.forEach.call(document.querySelectorAll("details.area"), function (area) {
      var rows = area.querySelectorAll("tr.ind");
      var any = false;
      Array.prototype.forEach.call(rows, function (row) {
        var ok = matches(row, st, "row");
        show(row, ok);
        any = any || ok;
      });
      var areaOk = !st.area || area.getAttribute("data-area") === st.area;
      show(area, areaOk && (any || (!st.severity && !st.code && !st.q)));
    });
    Array.prototype.forEach.call(document.querySelectorAll("tr.doc"), function (row) {
      show(row, matches(row, st, "row"));
    });
    if (status && cfg.status) {
      status.textContent = cfg.status.replace("{shown}", String(shown)).replace("{total}", String(flags.length));
    }
    if (empty) empty.hidden = !(shown === 0 && flags.length > 0);
    document.documentElement.setAttribute("data-filter", KEYS.map(function (k) { return k + "=" + st[k]; }).join("&"));
    document.documentElement.setAttribute("data-shown", String(shown));
  }

  function fromHash() {
    var raw = (window.location.hash || "").replace(/^#/, "");
    if (raw.indexOf("=") < 0) return false;  // a plain anchor such as #flag-F0001
    var params = new URLSearchParams(raw);
    KEYS.forEach(function (k) {
      var c = controls[k];
      if (!c) return;
      var v = params.get(k) || "";
      if (c.tagName === "SELECT") {
        var known = Array.prototype.some.call(c.options, function (o) { return o.value === v; });
        c.value = known ? v : "";
      } else {
        c.value = v;
      }
    });
    return true;
  }

  function toHash() {
    var st = state();
    var parts = [];
    KEYS.forEach(function (k) {
      if (st[k]) parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(st[k]));
    });
    var h = parts.length ? "#" + parts.join("&") : "";
    try {
      history.replaceState(null, "", h || window.location.pathname + window.location.search);
    } catch (e) {
      /* some file:// contexts refuse replaceState; the filter still works */
    }
  }

  function onChange() {
    apply();
    toHash();
  }

  if (form) {
    form.hidden = false;
    var f = form.querySelector("form");
    if (f) f.addEventListener("submit", function (e) { e.preventDefault(); });
  }
  KEYS.forEach(function (k) {
    var c = controls[k];
    if (c) c.addEventListener(c.tagName === "SELECT" ? "change" : "input", onChange);
  });
  var reset = document.getElementById("f-reset");
  if (reset) {
    reset.addEventListener("click", function () {
      KEYS.forEach(function (k) { if (controls[k]) controls[k].value = ""; });
      onChange();
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-set-severity]"), function (a) {
    a.addEventListener("click", function () {
      if (controls.severity) {
        controls.severity.value = a.getAttribute("data-set-severity");
        onChange();
      }
    });
  });
  window.addEventListener("hashchange", function () {
    if (fromHash()) apply();
  });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });

  /* The pictures are embedded (data: URIs, the only images the page's policy allows). Once the
     page has loaded, it says how many show and marks any that does not, so a broken crop is seen
     as one, not taken for a page with nothing on it. */
  function countPictures() {
    var imgs = document.querySelectorAll("img");
    var broken = 0;
    Array.prototype.forEach.call(imgs, function (img) {
      var bad = !img.complete || img.naturalWidth === 0;
      img.classList.toggle("is-broken", bad);
      if (bad) broken += 1;
    });
    document.documentElement.setAttribute("data-images", String(imgs.length));
    document.documentElement.setAttribute("data-images-broken", String(broken));
  }
  if (document.readyState === "complete") countPictures();
  else window.addEventListener("load", countPictures);

  fromHash();
  apply();
  document.documentElement.setAttribute("data-ready", "1");
})();

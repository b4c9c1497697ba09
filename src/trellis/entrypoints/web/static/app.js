// Small helpers: show only the fields of the chosen event kind, and draw the timeline chart.
(function () {
  "use strict";
  function syncKind(form) {
    var select = form.querySelector("select[name=kind]");
    if (!select) return;
    var kind = select.value;
    form.querySelectorAll("[data-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-for").split(" ").indexOf(kind) < 0;
    });
  }
  function fillFrom(form) {
    var comp = form.querySelector("select[name=competency]");
    var from = form.querySelector("input[name=from_mastery]");
    var to = form.querySelector("input[name=to_mastery]");
    if (!comp || !from || !to) return;
    comp.addEventListener("change", function () {
      var opt = comp.options[comp.selectedIndex];
      var m = parseInt(opt.getAttribute("data-mastery") || "0", 10);
      from.value = m; to.value = m + 1;
    });
  }
  function drawChart() {
    var el = document.getElementById("timeline-chart");
    if (!el || !window.Plotly) return;
    var points = JSON.parse(el.getAttribute("data-points") || "[]");
    var micro = { x: [], y: [], text: [] }, promo = { x: [], y: [], text: [] }, n = 0;
    points.forEach(function (p) {
      if (p.advance === "micro_progression") { n += 1; micro.x.push(p.on); micro.y.push(n); micro.text.push(p.summary); }
      else if (p.advance === "promotion") { promo.x.push(p.on); promo.y.push(n); promo.text.push(p.summary); }
    });
    if (!micro.x.length && !promo.x.length) return;
    el.classList.add("ready");
    Plotly.newPlot(el, [
      { x: micro.x, y: micro.y, text: micro.text, name: "micro-progression", mode: "lines+markers",
        line: { shape: "hv", color: "#0b6e4f" }, marker: { size: 6 }, hoverinfo: "x+text" },
      { x: promo.x, y: promo.y, text: promo.text, name: "promotion", mode: "markers",
        marker: { symbol: "triangle-up", size: 16, color: "#8a4b00" }, hoverinfo: "x+text" }
    ], { margin: { t: 10, r: 10, b: 40, l: 50 }, height: 260,
         yaxis: { title: { text: "micro-progressions so far" } }, legend: { orientation: "h" } },
       { responsive: true, displaylogo: false });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      var select = form.querySelector("select[name=kind]");
      if (select) { select.addEventListener("change", function () { syncKind(form); }); syncKind(form); }
      fillFrom(form);
    });
  });
  window.addEventListener("load", drawChart);
})();

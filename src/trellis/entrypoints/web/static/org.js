// The Organization page's charts: each element with data-org-chart holds its figures as
// JSON (the same figures are in the table under it). Bars (stacked or horizontal) and the
// yearly rates (micro-progressions a person as bars, the share promoted as a line on a
// second axis, in front). No toolbar: it adds tab stops and nothing a slide needs.
(function () {
  var COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"];
  var CONFIG = { responsive: true, displaylogo: false, displayModeBar: false };
  var BASE = { margin: { t: 10, r: 20, b: 50, l: 60 }, height: 320, font: { size: 14 },
               legend: { orientation: "h", x: 0, y: -0.2 } };
  function layout(extra) { return Object.assign({}, BASE, extra); }
  function bars(el, spec) {
    var traces = spec.series.map(function (s, i) {
      var t = { type: "bar", name: s.name, marker: { color: COLOURS[i % COLOURS.length] },
                hovertemplate: "%{y} people<extra>" + s.name + "</extra>" };
      if (spec.horizontal) {
        t.orientation = "h"; t.y = spec.x; t.x = s.y;
        if (!spec.stacked) { t.text = s.y; t.textposition = "outside"; t.cliponaxis = false; }
        t.hovertemplate = "%{x} people<extra>" + s.name + "</extra>";
      } else { t.x = spec.x; t.y = s.y; }
      return t;
    });
    var axis = { title: { text: spec.y_title } };
    Plotly.newPlot(el, traces, layout(spec.horizontal
      ? { xaxis: axis, yaxis: { automargin: true, autorange: "reversed" },
          barmode: "stack", showlegend: spec.series.length > 1,
          legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
          margin: { t: spec.series.length > 1 ? 70 : 10, r: 30, b: 50, l: 10 } }
      : { barmode: spec.stacked ? "stack" : "group", yaxis: axis,
          showlegend: spec.series.length > 1 }), CONFIG);
  }
  function rates(el, spec) {
    var promoted = spec.series[0], micro = spec.series[1];
    var roomy = el.clientWidth > 560;  // on a phone the percentages would sit on each other
    Plotly.newPlot(el, [
      { type: "bar", name: micro.name, x: spec.x, y: micro.y,
        marker: { color: "#9ecae1" }, hovertemplate: "%{y:.1f}<extra>" + micro.name + "</extra>" },
      { type: "scatter", mode: "lines+markers+text", name: promoted.name, x: spec.x, y: promoted.y,
        yaxis: "y2",  // the overlaying axis is drawn last: the line stays in front of the bars
        line: { color: COLOURS[1], width: 3 }, marker: { size: 8, symbol: "diamond" },
        text: promoted.y.map(function (v) { return v === null || !roomy ? "" : Math.round(v * 100) + "%"; }),
        textposition: "top center", cliponaxis: false, hovertemplate: "%{y:.0%}<extra>" + promoted.name + "</extra>" }
    ], layout({ xaxis: { type: "category", tickangle: 0, automargin: true,
                         nticks: roomy ? 0 : 5 },
                yaxis: { title: { text: micro.name }, rangemode: "tozero" },
                yaxis2: { title: { text: promoted.name }, overlaying: "y", side: "right",
                          tickformat: ".0%", rangemode: "tozero", showgrid: false },
                margin: { t: 30, r: 60, b: 60, l: 60 } }), CONFIG);
  }
  window.addEventListener("load", function () {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-org-chart]").forEach(function (el) {
      var spec = JSON.parse(el.getAttribute("data-spec") || "{}");
      if (!spec.series || !spec.x || !spec.x.length) return;
      (spec.type === "rates" ? rates : bars)(el, spec);
      el.classList.add("ready");
    });
  });
})();

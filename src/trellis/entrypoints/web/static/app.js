// Small helpers: show only the fields of the chosen event kind, draw the charts (timeline,
// evidence curves, simulator fan); and, in a block of its own, the import form.
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
  // Charts: no toolbar (its buttons were a dozen tab stops nobody could see), dark axis
  // text, and lines told apart by colour *and* dash, each named at its end; every chart
  // also gets a sentence saying what it shows, for those who cannot see it (describe()).
  var CONFIG = { responsive: true, displayModeBar: false, displaylogo: false };
  var INK = "#1b1f24", GRID = "#e1e5ea";
  // Colours at 4.5:1 or more on white (lines and labels read as text would), distinct in
  // the common colour blindnesses thanks to the dashes beside them.
  var STYLES = [{ colour: "#0b5cad", dash: "solid" }, { colour: "#b34700", dash: "dash" },
                { colour: "#0b6e4f", dash: "dot" }, { colour: "#7b2d8e", dash: "dashdot" },
                { colour: "#1b1f24", dash: "longdash" }, { colour: "#8a5a00", dash: "longdashdot" }];
  var FONT = { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 13,
               color: INK };
  function axis(title, extra) {
    return Object.assign({ title: { text: title, font: { size: 13, color: INK } },
                           tickfont: { size: 12, color: INK }, gridcolor: GRID,
                           linecolor: "#7a8593", zeroline: false }, extra || {});
  }
  function layout(extra) {
    return Object.assign({ font: FONT, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
                           hoverlabel: { font: { size: 13 } }, dragmode: false }, extra);
  }
  function describe(el, sentence) {  // the chart's text alternative, visible under it
    var id = el.id + "-summary", p = document.getElementById(id);
    if (!p) {
      p = document.createElement("p");
      p.id = id; p.className = "chart-summary";
      el.parentNode.insertBefore(p, el.nextSibling);
      el.setAttribute("aria-describedby", id);
    }
    p.textContent = sentence;
  }
  function percent(share) { return Math.round(share * 100) + "%"; }
  function endLabels(lines, axes) {
    // a name at the end of each line, nudged apart where the ends crowd together
    var ends = lines.filter(function (l) { return l.y.length; }).map(function (l) {
      return { x: l.x[l.x.length - 1], y: l.y[l.y.length - 1], text: l.name, colour: l.colour };
    });
    var ys = ends.map(function (e) { return e.y; });
    var span = (Math.max.apply(null, ys) - Math.min.apply(null, ys)) || 1;
    var gap = (axes.span || span) * 0.07;
    ends.sort(function (a, b) { return a.y - b.y; });
    for (var i = 1; i < ends.length; i++) {
      if (ends[i].y - ends[i - 1].y < gap) ends[i].y = ends[i - 1].y + gap;
    }
    return ends.map(function (e) {
      return { x: e.x, y: e.y, xref: axes.x || "x", yref: axes.y || "y", text: e.text,
               showarrow: false, xanchor: "left", xshift: 6,
               font: { color: e.colour, size: 13, weight: 600 } };
    });
  }
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function day(iso) {  // 2024-05-03 -> 3 May 2024, as the pages write dates
    var p = iso.split("-");
    return parseInt(p[2], 10) + " " + MONTHS[parseInt(p[1], 10) - 1] + " " + p[0];
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
        line: { shape: "hv", color: "#0b6e4f", width: 2 }, marker: { size: 5 }, hoverinfo: "x+text" },
      { x: promo.x, y: promo.y, text: promo.text, name: "promotion", mode: "markers",
        marker: { symbol: "triangle-up", size: 15, color: "#8a4b00", line: { color: "#fff", width: 1 } },
        hoverinfo: "x+text" }
    ], layout({ margin: { t: 10, r: 10, b: 40, l: 55 }, height: 260,
                xaxis: axis(""), yaxis: axis("micro-progressions so far"),
                showlegend: false }), CONFIG);  // the legend above it names both marks
    var dates = micro.x.concat(promo.x).sort();
    describe(el, "From " + day(dates[0]) + " to " + day(dates[dates.length - 1]) + ": " +
      micro.x.length + " micro-progressions and " + promo.x.length + " promotion" +
      (promo.x.length === 1 ? "" : "s") +
      (promo.x.length ? ", the latest on " + day(promo.x[promo.x.length - 1]) : "") + ".");
  }
  function rgba(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")";
  }
  function band(x, low, high, colour, name, axes) {  // a filled P10-P90 (or CI) band
    return Object.assign({ x: x.concat(x.slice().reverse()), y: high.concat(low.slice().reverse()),
             mode: "lines", fill: "toself", fillcolor: rgba(colour, 0.08), line: { width: 0 },
             hoverinfo: "skip", showlegend: false, name: name }, axes || {});
  }
  function drawKm(el, curves) {
    var traces = [], lines = [], said = [];
    curves.forEach(function (c, i) {
      if (c.status !== "ok" || !c.months.length) return;
      var style = STYLES[i % STYLES.length];
      traces.push(band(c.months, c.lower, c.upper, style.colour, c.group));
      traces.push({ x: c.months, y: c.still_in_level, mode: "lines",
                    line: { shape: "hv", color: style.colour, width: 3, dash: style.dash },
                    name: c.group + " (" + c.rate_from.toFixed(1) + "-" + c.rate_to.toFixed(1) + " a year, n=" + c.spells + ")",
                    hovertemplate: "%{x:.0f} months: %{y:.0%} not yet promoted<extra>" + c.group + "</extra>" });
      lines.push({ x: c.months, y: c.still_in_level, name: c.group, colour: style.colour });
      // the fitted figures, not the curve's last step: that falls to 0 when the last
      // person followed is promoted, which reads as "everyone is promoted by then"
      said.push(c.group + ": " + (c.median_months === null || c.median_months === undefined
        ? "fewer than half promoted in the months followed"
        : "half promoted by month " + Math.round(c.median_months)) +
        (c.by_24 === null || c.by_24 === undefined ? "" : ", " + percent(c.by_24) +
         " by month 24"));
    });
    if (!traces.length) return false;
    Plotly.newPlot(el, traces, layout({ margin: { t: 10, r: 80, b: 45, l: 60 }, height: 380,
      showlegend: true, legend: { orientation: "h", x: 0, y: -0.18, yanchor: "top" },
      annotations: endLabels(lines, { span: 1 }),
      xaxis: axis("months in level"),
      yaxis: axis("share not yet promoted", { range: [0, 1.02], tickformat: ".0%" }) }), CONFIG);
    describe(el, "Share of people not yet promoted by months in level, one line per " +
             "micro-progression rate group (" + said.join("; ") + "). The table below has " +
             "the figures.");
    return true;
  }
  function drawFan(el, outcomes) {
    var traces = [], pay = [], kept = [], said = [];
    var high = 0, low = Infinity, horizon = 0;
    outcomes.forEach(function (o, i) {
      horizon = Math.max(horizon, (o.pay.p50.length - 1) / 4);
      var style = STYLES[i % STYLES.length];
      var years = o.pay.p50.map(function (_, q) { return q / 4; });
      traces.push(band(years, o.pay.p10, o.pay.p90, style.colour, o.strategy));
      traces.push({ x: years, y: o.pay.p50, mode: "lines", legendgroup: o.strategy,
                    line: { color: style.colour, width: 3, dash: style.dash },
                    name: o.strategy + (o.strategy.indexOf("%") < 0 ?  // "Own mix (30%)" says it
                      " (" + Math.round(o.effort * 100) + "% promotion effort)" : ""),
                    hovertemplate: "year %{x}: median pay %{y:,.0f}<extra>" + o.strategy + "</extra>" });
      traces.push({ x: years, y: o.survival, mode: "lines", xaxis: "x2", yaxis: "y2",
                    legendgroup: o.strategy, showlegend: false,
                    line: { color: style.colour, width: 3, dash: style.dash },
                    name: o.strategy + ": still employed",
                    hovertemplate: "year %{x}: %{y:.0%} still employed<extra>" + o.strategy + "</extra>" });
      pay.push({ x: years, y: o.pay.p50, name: o.strategy, colour: style.colour });
      kept.push({ x: years, y: o.survival, name: o.strategy, colour: style.colour });
      o.pay.p90.forEach(function (v) { if (v > high) high = v; });  // the axis' span
      o.pay.p10.forEach(function (v) { if (v < low) low = v; });
      var end = o.pay.p50.length - 1;  // the page writes the pay at the horizon, with its currency
      said.push(o.strategy + " " + o.pay_words + " (" + percent(o.survival[end]) +
                " still employed)");
    });
    Plotly.newPlot(el, traces, layout({ height: 520, margin: { t: 30, r: 150, b: 45, l: 65 },
      showlegend: true, legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      grid: { rows: 2, columns: 1, pattern: "independent", roworder: "top to bottom" },
      annotations: endLabels(pay, { span: high - low }).concat(
        endLabels(kept, { x: "x2", y: "y2", span: 1 })),
      xaxis: axis("years from today", { range: [0, horizon] }),
      yaxis: axis("median base pay (band: P10-P90)", { tickformat: "~s" }),
      xaxis2: axis("years from today", { range: [0, horizon] }),
      yaxis2: axis("still employed", { tickformat: ".0%", range: [0, 1.02] }) }), CONFIG);
    var years = outcomes.length ? (outcomes[0].pay.p50.length - 1) / 4 : 0;
    describe(el, "Median base pay after " + years + " years, by strategy, among those still " +
             "employed: " + said.join("; ") + ". The table below has every figure.");
    return true;
  }
  function drawCharts() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (!window.Plotly) return;
      var data = JSON.parse(el.getAttribute("data-points") || "[]");
      var drawn = el.getAttribute("data-chart") === "km" ? drawKm(el, data) : drawFan(el, data);
      if (drawn) el.classList.add("ready");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      var select = form.querySelector("select[name=kind]");
      if (select) { select.addEventListener("change", function () { syncKind(form); }); syncKind(form); }
      fillFrom(form);
    });
  });
  window.addEventListener("load", drawChart);
  window.addEventListener("load", drawCharts);
})();

// The import form: send the file with XMLHttpRequest (for its upload progress), then show
// the server's progress, streamed as JSON lines in the same response (a worker process of
// its own could not be polled), and finally the counts or the bad rows. Without this
// script the form posts as usual and the page shows the result.
(function () {
  "use strict";
  var NDJSON = "application/x-ndjson";
  var PHASES = { uploading: "Uploading", reading: "Reading lines", checking: "Checking rows",
                 replaying: "Replaying careers", writing: "Writing events",
                 rebuilding: "Rebuilding profiles" };
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function count(n) { return Number(n).toLocaleString("en"); }
  function importFile(form) {
    var status = document.getElementById("import-status");
    var problems = document.getElementById("import-problems");
    var box = document.getElementById("import-progress");
    var bar = document.getElementById("import-bar");
    var label = document.getElementById("import-phase");
    var button = form.querySelector("button[type=submit]");
    var file = form.querySelector("input[type=file]").files[0];
    var xhr = new XMLHttpRequest();
    var read = 0, finished = false;
    function show(phase, done, total, unit) {
      bar.max = total || 1;
      bar.value = total ? done : 1;
      label.textContent = (PHASES[phase] || phase) + ": " + count(done) + " of " +
        count(total) + (unit ? " " + unit : "");
    }
    function alertBox(message, list, more) {
      var div = element("div", "alert");
      div.setAttribute("role", "alert");
      div.appendChild(element("p", "", message));
      if (list && list.length) {
        var ul = element("ul", "problems");
        list.forEach(function (p) {
          ul.appendChild(element("li", "", (p.line ? "line " + p.line + ": " : "") +
                                            (p.path ? p.path + ": " : "") + p.message));
        });
        div.appendChild(ul);
        if (more) div.appendChild(element("p", "", "… and " + count(more) + " more."));
      }
      problems.appendChild(div);
    }
    function handle(message) {
      if (message.phase) { show(message.phase, message.done, message.total); return; }
      finished = true;
      if (message.result) {
        var r = message.result;
        label.textContent = "Done";
        bar.value = bar.max;
        status.insertBefore(element("p", "ok", "Imported " + r.file + ": " + count(r.people) +
          " people and " + count(r.events) + " events; " + count(r.profiles) +
          " profiles rebuilt."), box);
        form.reset();
        return;
      }
      box.hidden = true;
      if (message.rejected) alertBox(message.rejected.message, message.rejected.problems,
                                     message.rejected.more);
      else alertBox(message.error || "The import failed.");
    }
    function take() {  // every complete line received so far
      if ((xhr.getResponseHeader("Content-Type") || "").indexOf(NDJSON) !== 0) return;
      var text = xhr.responseText, end;
      while ((end = text.indexOf("\n", read)) >= 0) {
        var line = text.slice(read, end);
        read = end + 1;
        if (line.trim()) handle(JSON.parse(line));
      }
    }
    function stop(reason) {
      take();
      if (!finished) {
        box.hidden = true;
        alertBox(reason + ": reload the page (sign in again if asked) to see whether " +
                 "the file was imported, and try again if not.");
      }
      button.disabled = false;
    }
    status.querySelectorAll(".ok").forEach(function (p) { p.remove(); });
    problems.textContent = "";
    box.hidden = false;
    button.disabled = true;
    show("uploading", 0, file ? file.size : 0, "bytes");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) show("uploading", e.loaded, e.total, "bytes");
    });
    xhr.addEventListener("progress", take);
    xhr.addEventListener("load", function () {
      var signedOut = /\/login$/.test(new URL(xhr.responseURL, location.href).pathname);
      stop(signedOut ? "You are signed out" : "The import did not finish (HTTP " +
           xhr.status + ")");
    });
    xhr.addEventListener("error", function () { stop("The connection was lost"); });
    xhr.open("POST", form.getAttribute("data-stream"));
    xhr.setRequestHeader("X-CSRF-Token", form.elements.csrf_token.value);
    xhr.send(new FormData(form));
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("import-form");
    if (!form || !form.getAttribute("data-stream")) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      importFile(form);
    });
  });
})();

// Tables on a phone: each cell learns its column's header (data-label), so that a table of
// four columns or more shows as one card a row below 40rem (app.css, "Tables"), instead of
// columns cut off at the edge. A table that still overflows its scroll box (a matrix, which
// opts out with class "matrix") becomes a focusable, named region, scrollable by keyboard,
// and shows a cue at the edge it continues past.
(function () {
  "use strict";
  var STACK_FROM = 4;  // columns: fewer fit a phone as they are
  function headers(table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return null;
    var labels = [];
    Array.prototype.forEach.call(head.cells, function (th) {
      for (var i = 0; i < th.colSpan; i++) labels.push(th.textContent.trim());
    });
    return labels;
  }
  function label(table) {
    var labels = headers(table);
    if (!labels || table.classList.contains("matrix")) return;
    Array.prototype.forEach.call(table.tBodies, function (body) {
      // covered[c]: rows still taken in column c by a cell above spanning down (a feature
      // over its measures): a row's cells start after them
      var covered = [];
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          while (covered[column] > 0) column += 1;
          if (!cell.hasAttribute("data-label") && labels[column]) {
            cell.setAttribute("data-label", labels[column]);
          }
          for (var i = 0; i < cell.colSpan; i++) covered[column + i] = cell.rowSpan;
          column += cell.colSpan;
        });
        covered = covered.map(function (rows) { return rows - 1; });
      });
    });
    if (labels.length >= STACK_FROM) table.classList.add("stack");
  }
  function title(box) {  // the table's caption, else the heading of its section
    var caption = box.querySelector("caption");
    if (caption) return caption.textContent.trim();
    var section = box.closest("section, article"), heading = section &&
      section.querySelector("h1, h2, h3");
    return heading ? heading.textContent.trim() : "";
  }
  function regions() {
    var names = {};
    document.querySelectorAll(".scroll[role=region]").forEach(function (box) {
      names[box.getAttribute("aria-label")] = true;
    });
    document.querySelectorAll(".scroll").forEach(function (box) {
      var overflows = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("overflows", overflows);
      if (overflows && !box.hasAttribute("tabindex")) {
        var name = (title(box) || "Table") + ", scrolls sideways", n = 2, unique = name;
        while (names[unique]) unique = name + " (" + n++ + ")";  // each region its own name
        names[unique] = true;
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", unique);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table").forEach(label);
    regions();
  });
  window.addEventListener("resize", regions);
})();

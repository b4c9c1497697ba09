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
  var COLOURS = ["#1b9e77", "#7570b3", "#d95f02", "#e7298a", "#66a61e", "#e6ab02"];
  var LAYOUT = { margin: { t: 60, r: 10, b: 45, l: 60 }, height: 360,
                 legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" } };
  function rgba(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")";
  }
  function band(x, low, high, colour, name) {  // a filled P10-P90 (or CI) band
    return { x: x.concat(x.slice().reverse()), y: high.concat(low.slice().reverse()),
             fill: "toself", fillcolor: rgba(colour, 0.15), line: { width: 0 },
             hoverinfo: "skip", showlegend: false, name: name };
  }
  function drawKm(el, curves) {
    var traces = [];
    curves.forEach(function (c, i) {
      if (c.status !== "ok" || !c.months.length) return;
      var colour = COLOURS[i % COLOURS.length];
      traces.push(band(c.months, c.lower, c.upper, colour, c.group));
      traces.push({ x: c.months, y: c.still_in_level, mode: "lines", line: { shape: "hv", color: colour, width: 2 },
                    name: c.group + " (" + c.rate_from.toFixed(1) + "-" + c.rate_to.toFixed(1) + " a year, n=" + c.spells + ")" });
    });
    if (!traces.length) return false;
    Plotly.newPlot(el, traces, Object.assign({}, LAYOUT, {
      xaxis: { title: { text: "months in level" } },
      yaxis: { title: { text: "share not yet promoted" }, range: [0, 1.02] } }),
      { responsive: true, displaylogo: false });
    return true;
  }
  function drawFan(el, outcomes) {
    var traces = [];
    outcomes.forEach(function (o, i) {
      var colour = COLOURS[i % COLOURS.length];
      var years = o.pay.p50.map(function (_, q) { return q / 4; });
      traces.push(band(years, o.pay.p10, o.pay.p90, colour, o.strategy));
      traces.push({ x: years, y: o.pay.p50, mode: "lines", line: { color: colour, width: 2 },
                    name: o.strategy + " (" + Math.round(o.effort * 100) + "% promotion effort)" });
      traces.push({ x: years, y: o.survival, mode: "lines", xaxis: "x2", yaxis: "y2",
                    line: { color: colour, width: 2, dash: "dot" }, showlegend: false,
                    name: o.strategy + ": still employed" });
    });
    Plotly.newPlot(el, traces, Object.assign({}, LAYOUT, { height: 420,
      grid: { rows: 2, columns: 1, pattern: "independent" },
      xaxis: { title: { text: "years from today" } }, yaxis: { title: { text: "base pay (P10-P90)" } },
      xaxis2: { title: { text: "years from today" } },
      yaxis2: { title: { text: "still employed" }, tickformat: ".0%", range: [0, 1.02] } }),
      { responsive: true, displaylogo: false });
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

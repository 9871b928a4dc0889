// The commercial desk's dashboard (templates/commerce_dashboard.html, GET /projects/dashboard): per target, a bar
// chart of delivered / committed / proposed / expected against the target line, and a line chart of the same
// month by month. Drawn with the vendored Chart.js from GET /api/v1/projects/targets and .../targets/history,
// fetched with the session cookie, so the figures count only the caller's portfolio. Every text comes from the
// template's data-text-* attributes; one canvas pair per metric, found by data-metric.
(function () {
  "use strict";

  var root = document.getElementById("commerce-dashboard");
  if (!root) return;
  var statusLine = root.querySelector("[data-testid=commerce-dashboard-status]");
  var BUCKETS = ["delivered", "committed", "proposed", "expected"];
  var COLOURS = { delivered: "#2e8b57", committed: "#1f5f9e", proposed: "#b7791f", expected: "#6b46c1", target: "#c0392b" };

  // The page's language, for the charts' numbers and month labels (the frame sets it on <html>).
  var LANGUAGE = document.documentElement.lang || "en";

  function text(name) {
    return root.getAttribute("data-text-" + name) || "";
  }

  // A metric's unit in the page's language, from its canvas's data-text-unit (the JSON's unit is a code).
  function unitOf(canvas, metric) {
    return canvas.getAttribute("data-text-unit") || metric.unit;
  }

  function monthLabel(isoDay) {
    var parts = String(isoDay).split("-");
    if (parts.length !== 3 || !window.Intl) return isoDay;
    var day = new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2]));
    return new Intl.DateTimeFormat(LANGUAGE, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(day);
  }

  function setStatus(message) {
    statusLine.textContent = message;
    statusLine.hidden = !message;
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  function canvasFor(kind, metric) {
    return root.querySelector("canvas[data-chart-kind=" + kind + "][data-metric=" + metric + "]");
  }

  function marked(canvas, series) {
    canvas.setAttribute("data-chart", "drawn");
    canvas.setAttribute("data-series", String(series));
  }

  function targetLine(target, length) {
    var values = [];
    for (var i = 0; i < length; i++) values.push(target);
    return {
      type: "line",
      label: text("target"),
      data: values,
      borderColor: COLOURS.target,
      backgroundColor: COLOURS.target,
      borderDash: [6, 4],
      pointRadius: 0,
      fill: false,
    };
  }

  function bars(metric) {
    var canvas = canvasFor("now", metric.metric);
    if (!canvas) return;
    var datasets = [
      {
        type: "bar",
        label: unitOf(canvas, metric),
        data: BUCKETS.map(function (b) { return metric.totals[b]; }),
        backgroundColor: BUCKETS.map(function (b) { return COLOURS[b]; }),
      },
    ];
    if (metric.target !== null) datasets.push(targetLine(metric.target, BUCKETS.length));
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: BUCKETS.map(function (b) { return text(b); }), datasets: datasets },
      options: {
        animation: false,
        locale: LANGUAGE,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: unitOf(canvas, metric) } } },
      },
    });
    marked(canvas, datasets.length);
  }

  function lines(metric, dates) {
    var canvas = canvasFor("history", metric.metric);
    if (!canvas) return;
    var datasets = BUCKETS.map(function (b) {
      return { label: text(b), data: metric[b], borderColor: COLOURS[b], backgroundColor: COLOURS[b], fill: false };
    });
    if (metric.target !== null) datasets.push(targetLine(metric.target, dates.length));
    new window.Chart(canvas, {
      type: "line",
      data: { labels: dates.map(monthLabel), datasets: datasets },
      options: {
        animation: false,
        locale: LANGUAGE,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: unitOf(canvas, metric) } } },
      },
    });
    marked(canvas, datasets.length);
  }

  if (!window.Chart) {
    setStatus(text("failed"));
    root.setAttribute("data-state", "failed");
    return;
  }
  Promise.all([getJson(root.getAttribute("data-targets-url")), getJson(root.getAttribute("data-history-url"))])
    .then(function (results) {
      results[0].metrics.forEach(bars);
      results[1].metrics.forEach(function (metric) { lines(metric, results[1].dates); });
      setStatus("");
      root.setAttribute("data-state", "drawn");
    })
    .catch(function () {
      setStatus(text("failed"));
      root.setAttribute("data-state", "failed");
    });
})();

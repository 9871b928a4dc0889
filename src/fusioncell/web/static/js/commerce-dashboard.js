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

  function text(name) {
    return root.getAttribute("data-text-" + name) || "";
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
        label: metric.unit,
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
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: metric.unit } } },
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
      data: { labels: dates, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: metric.unit } } },
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

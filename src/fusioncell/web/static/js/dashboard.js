// The de-escalation dashboard's charts (templates/dashboard.html, GET /dashboard/deescalation), drawn with the
// vendored Chart.js (static/vendor/chartjs) from GET /api/v1/incidents/statistics, fetched with the session
// cookie: the figures count only what the caller may read. Every text comes from the template's data-text-*
// attributes; labels from the data are handed to Chart.js, which draws them on the canvas as text.
(function () {
  "use strict";

  var root = document.getElementById("dashboard");
  if (!root) return;
  var statusLine = root.querySelector("[data-testid=dashboard-status]");
  // Distinguishable in colour and in print; the series beyond these repeat them.
  var PALETTE = ["#1f5f9e", "#c0392b", "#2e8b57", "#b7791f", "#6b46c1", "#2c7a7b", "#9b2c2c", "#4a5568"];

  function text(name) {
    return root.getAttribute("data-text-" + name) || "";
  }

  function setStatus(message) {
    statusLine.textContent = message;
    statusLine.hidden = !message;
  }

  function stacked(canvasId, weeks, series) {
    var canvas = document.getElementById(canvasId);
    var chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: weeks,
        datasets: series.map(function (s, i) {
          return { label: s.label, data: s.counts, backgroundColor: PALETTE[i % PALETTE.length] };
        }),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: text("incidents") } },
        },
      },
    });
    canvas.setAttribute("data-chart", "drawn");
    canvas.setAttribute("data-series", String(series.length));
    return chart;
  }

  function ackTimes(weeks, times) {
    var canvas = document.getElementById("chart-ack");
    var chart = new window.Chart(canvas, {
      type: "line",
      data: {
        labels: weeks,
        datasets: [
          { label: text("median"), data: times.median_hours, borderColor: PALETTE[0], backgroundColor: PALETTE[0], spanGaps: true },
          { label: text("p90"), data: times.p90_hours, borderColor: PALETTE[1], backgroundColor: PALETTE[1], spanGaps: true },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: text("hours") } } },
      },
    });
    canvas.setAttribute("data-chart", "drawn");
    canvas.setAttribute("data-series", "2");
    return chart;
  }

  if (!window.Chart) {
    setStatus(text("failed"));
    root.setAttribute("data-state", "failed");
    return;
  }
  fetch(root.getAttribute("data-statistics-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (figures) {
      stacked("chart-zone", figures.weeks, figures.by_zone);
      stacked("chart-type", figures.weeks, figures.by_type);
      ackTimes(figures.weeks, figures.time_to_acknowledge);
      setStatus("");
      root.setAttribute("data-state", "ready");
    })
    .catch(function () {
      setStatus(text("failed"));
      root.setAttribute("data-state", "failed");
    });
})();

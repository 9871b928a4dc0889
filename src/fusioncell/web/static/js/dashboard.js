// The de-escalation dashboard's charts (templates/dashboard.html, GET /dashboard/deescalation), drawn with the
// vendored Chart.js (static/vendor/chartjs) from GET /api/v1/incidents/statistics, fetched with the session
// cookie: the figures count only what the caller may read. Every text comes from the template's data-text-*
// attributes, the names of zones and event types from data-zone-names / data-type-names (the JSON's labels are
// English); labels are handed to Chart.js, which draws them on the canvas as text, in the page's language and
// direction (dates and figures through Intl with <html lang>).
(function () {
  "use strict";

  var root = document.getElementById("dashboard");
  if (!root) return;
  var statusLine = root.querySelector("[data-testid=dashboard-status]");
  // Distinguishable in colour and in print; the series beyond these repeat them.
  var PALETTE = ["#1f5f9e", "#c0392b", "#2e8b57", "#b7791f", "#6b46c1", "#2c7a7b", "#9b2c2c", "#4a5568"];

  var language = document.documentElement.lang || "en";
  var rtl = document.documentElement.dir === "rtl";

  function text(name) {
    return root.getAttribute("data-text-" + name) || "";
  }

  function names(attribute) {
    try {
      return JSON.parse(root.getAttribute(attribute) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  var zoneNames = names("data-zone-names");
  var typeNames = names("data-type-names");

  // A week's Monday (YYYY-MM-DD, UTC) as the page's language writes a short date.
  var weekDate = new Intl.DateTimeFormat(language, { day: "numeric", month: "short", timeZone: "UTC" });
  function weekLabels(weeks) {
    return weeks.map(function (week) {
      var moment = new Date(week + "T00:00:00Z");
      return isNaN(moment.getTime()) ? week : weekDate.format(moment);
    });
  }

  function weekTitle(items) {
    var week = items.length ? items[0].label : "";
    return text("week").replace("{week}", week);
  }

  function named(series, table) {
    return series.map(function (s) {
      return { label: table[s.code] || s.label, counts: s.counts };
    });
  }

  // What every chart shares: the language's figures, the page's direction in legend and tooltips.
  function common(yTitle) {
    return {
      animation: false,
      maintainAspectRatio: false,
      locale: language,
      plugins: {
        legend: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr" },
        tooltip: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr", callbacks: { title: weekTitle } },
      },
      scales: { y: { beginAtZero: true, title: { display: true, text: yTitle } } },
    };
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
        labels: weekLabels(weeks),
        datasets: series.map(function (s, i) {
          return { label: s.label, data: s.counts, backgroundColor: PALETTE[i % PALETTE.length] };
        }),
      },
      options: stackedOptions(),
    });
    canvas.setAttribute("data-chart", "drawn");
    canvas.setAttribute("data-series", String(series.length));
    return chart;
  }

  function stackedOptions() {
    var options = common(text("incidents"));
    options.scales.x = { stacked: true };
    options.scales.y.stacked = true;
    options.scales.y.ticks = { precision: 0 };
    return options;
  }

  function ackTimes(weeks, times) {
    var canvas = document.getElementById("chart-ack");
    var chart = new window.Chart(canvas, {
      type: "line",
      data: {
        labels: weekLabels(weeks),
        datasets: [
          { label: text("median"), data: times.median_hours, borderColor: PALETTE[0], backgroundColor: PALETTE[0], spanGaps: true },
          { label: text("p90"), data: times.p90_hours, borderColor: PALETTE[1], backgroundColor: PALETTE[1], spanGaps: true },
        ],
      },
      options: common(text("hours")),
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
      stacked("chart-zone", figures.weeks, named(figures.by_zone, zoneNames));
      stacked("chart-type", figures.weeks, named(figures.by_type, typeNames));
      ackTimes(figures.weeks, figures.time_to_acknowledge);
      setStatus("");
      root.setAttribute("data-state", "ready");
    })
    .catch(function () {
      setStatus(text("failed"));
      root.setAttribute("data-state", "failed");
    });
})();

// The commitments board's chart (templates/commitments.html, GET /commitments): commitments per status at the end
// of each week, drawn with the vendored Chart.js from GET /api/v1/commitments/progress, fetched with the session
// cookie, so it counts only what the caller may read. Texts come from the template's data-text-* attributes.
(function () {
  "use strict";

  var root = document.getElementById("commitments-progress");
  if (!root) return;
  var statusLine = root.querySelector("[data-testid=commitments-progress-status]");
  // One colour per status, in the order the API lists them: proposed, agreed, in progress, done, breached, withdrawn.
  var PALETTE = ["#4a5568", "#1f5f9e", "#b7791f", "#2e8b57", "#c0392b", "#9b9b9b"];

  function text(name) {
    return root.getAttribute("data-text-" + name) || "";
  }

  function setStatus(message) {
    statusLine.textContent = message;
    statusLine.hidden = !message;
  }

  function draw(progress) {
    var canvas = document.getElementById("chart-progress");
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: progress.weeks.map(function (week) { return text("week").replace("{week}", week); }),
        datasets: progress.series.map(function (s, i) {
          // The status's name in the page's language (data-text-state-<status>), else its code.
          return { label: text("state-" + s.state.replace(/_/g, "-")) || s.state, data: s.counts, backgroundColor: PALETTE[i % PALETTE.length] };
        }),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: text("commitments") } },
        },
      },
    });
    canvas.setAttribute("data-chart", "drawn");
    canvas.setAttribute("data-series", String(progress.series.length));
  }

  if (!window.Chart) {
    setStatus(text("failed"));
    root.setAttribute("data-state", "failed");
    return;
  }
  fetch(root.getAttribute("data-progress-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (progress) {
      draw(progress);
      setStatus("");
      root.setAttribute("data-state", "drawn");
    })
    .catch(function () {
      setStatus(text("failed"));
      root.setAttribute("data-state", "failed");
    });
})();

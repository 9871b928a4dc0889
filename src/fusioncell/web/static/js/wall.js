// The operations-room wall (templates/wall.html, GET /wall): the live feed and the overdue queue; the map
// beside them is static/js/map.js, unchanged.
//   feed  - one EventSource on /api/v1/stream (only what the caller may read, filtered by the server): each
//           record event becomes a line (kind, time of arrival in UTC, a summary), newest on top, the last
//           few kept. Every text is set with textContent; the words come from the feed's data-text-* and
//           data-*-names attributes (the template's, in the page's language), times and figures through Intl.
//   queue - GET /wall/queue (server-rendered, escaped HTML) fetched every data-refresh-seconds and swapped in;
//           a failed fetch keeps what is shown.
//   clock - UTC, once a second, as the page's language writes a time of day.
(function () {
  "use strict";

  var feed = document.getElementById("wall-feed");
  var live = document.getElementById("wall-live");
  var queue = document.getElementById("wall-queue");
  var clock = document.getElementById("wall-clock");
  var language = document.documentElement.lang || "en";
  var timeOfDay = new Intl.DateTimeFormat(language, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZone: "UTC",
  });
  var dateAndTime = new Intl.DateTimeFormat(language, {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: "UTC",
  });
  var figure = new Intl.NumberFormat(language);

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined && content !== null) node.textContent = String(content);
    return node;
  }

  function utc(moment) {
    return timeOfDay.format(moment);
  }

  function text(name) {
    return (feed && feed.getAttribute("data-text-" + name)) || "";
  }

  function table(name) {
    try {
      return JSON.parse((feed && feed.getAttribute("data-" + name + "-names")) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  var kindNames = table("kind");
  var typeNames = table("type");
  var stageNames = table("stage");
  var activityNames = table("activity");

  function named(names, code) {
    return Object.prototype.hasOwnProperty.call(names, code) ? names[code] : words(code);
  }

  // ---------- clock ----------

  function tick() {
    if (clock) clock.textContent = utc(new Date()) + " UTC";
  }
  tick();
  window.setInterval(tick, 1000);

  // ---------- live feed ----------

  function words(value) {
    return String(value || "").replace(/[-_]/g, " ");
  }

  // What a line says of a record: its most telling fields, whichever its kind has.
  function summary(kind, record) {
    if (!record || typeof record !== "object") return "";
    var parts = [];
    if (kind === "incident") {
      var severity = typeof record.severity === "number" ? figure.format(record.severity) : String(record.severity);
      parts.push(named(typeNames, record.type), text("severity").replace("{n}", severity), named(stageNames, record.stage));
    } else if (kind === "notice") {
      var starts = new Date(record.starts_at);
      var when = isNaN(starts.getTime()) ? String(record.starts_at || "") : dateAndTime.format(starts) + " UTC";
      parts.push(named(activityNames, record.activity), text("from").replace("{when}", when));
    } else {
      ["subject", "title", "type", "activity", "stage", "channel", "party"].forEach(function (name) {
        if (typeof record[name] === "string" && parts.length < 2) parts.push(words(record[name]));
      });
    }
    if (record.status === "retracted") parts.push(text("retracted"));
    if (record.origin_party) parts.push(record.origin_party);
    return parts.filter(Boolean).join(" · ");
  }

  function onRecord(event) {
    var data;
    try {
      data = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (!data) return;
    var kind = data.kind || event.type;
    var item = element("li", "wall-event wall-event--" + String(kind).replace(/[^a-z-]/g, ""));
    item.setAttribute("data-kind", kind);
    if (data.id) item.setAttribute("data-record", String(data.id));
    item.appendChild(element("span", "wall-event-time", utc(new Date())));
    item.appendChild(element("span", "wall-event-kind", named(kindNames, kind)));
    var said = element("span", "wall-event-summary", summary(kind, data.record));
    said.dir = "auto";
    item.appendChild(said);
    var empty = feed.querySelector(".wall-empty");
    if (empty) empty.remove();
    feed.insertBefore(item, feed.firstChild);
    var keep = Number(feed.getAttribute("data-keep")) || 25;
    while (feed.children.length > keep) feed.removeChild(feed.lastChild);
  }

  function setLive(state) {
    if (!live) return;
    live.textContent = live.getAttribute("data-text-" + state) || "";
    live.setAttribute("data-state", state);
  }

  if (feed) {
    feed.appendChild(element("li", "wall-empty", feed.getAttribute("data-text-empty")));
    if (window.EventSource) {
      // EventSource resumes by itself (Last-Event-ID) after a dropped connection.
      var source = new window.EventSource("/api/v1/stream");
      (feed.getAttribute("data-kinds") || "").split(",").forEach(function (kind) {
        if (kind) source.addEventListener(kind, onRecord);
      });
      source.addEventListener("open", function () {
        setLive("live");
      });
      source.addEventListener("error", function () {
        setLive(source.readyState === window.EventSource.CLOSED ? "offline" : "connecting");
      });
      setLive("connecting");
      window.addEventListener("pagehide", function () {
        source.close();
      });
    } else {
      setLive("offline");
    }
  }

  // ---------- overdue queue ----------

  function refreshQueue() {
    fetch(queue.getAttribute("data-queue-url"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        // Our own server-rendered fragment: autoescaped by Jinja2; no script in it runs (innerHTML).
        queue.innerHTML = html;
        queue.setAttribute("data-refreshed", new Date().toISOString());
      })
      .catch(function () {
        queue.setAttribute("data-stale", "true");
      });
  }

  if (queue) {
    var seconds = Number(queue.getAttribute("data-refresh-seconds")) || 30;
    window.setInterval(refreshQueue, seconds * 1000);
  }
})();

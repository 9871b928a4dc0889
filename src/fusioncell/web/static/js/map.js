// The common operating picture (templates/map.html, GET /map), drawn with the vendored Leaflet.
//
// No tile layer: nothing is fetched from the internet. The page draws, each in its own pane and overlay:
//   - the country outlines shipped with the project (static/map/borders.geojson, Natural Earth);
//   - the cell's lines, zones and places from GET /api/v1/zones (GeoJSON, fetched with the session cookie):
//     one overlay per kind, protected sites as circles of their radius, places as keyboard-reachable markers.
// A banner says the lines and zones are schematic whenever a schematic feature is on the map.
//
// Safety: popups, tooltips and labels are DOM nodes filled with textContent; the only strings handed to
// Leaflet as HTML (the layers control and the attribution) are the template's labels, escaped first.
// Every text the user reads comes from the template (data-text-* on #map, the legend's labels), Leaflet's own
// control titles included; names come in the page's language; dates are written by Intl in the page's language.
// Right to left (an Arabic or Hebrew page), the controls change sides as Leaflet provides for, through their
// `position` option: zoom on the inline-start side (the right), layers on the left, attribution bottom left.
//
// Structure: one draw function per overlay, each returning an Overlay ({key, label, group, schematic}) that
// addOverlay() puts on the map and in the layers control.
//   incidents      - GET /api/v1/incidents (the caller's view), circle markers by severity and stage, areas
//                    as polygons; popups link to /incidents/{id}
//   notices        - GET /api/v1/notices?when=active and ?when=upcoming, their areas, one overlay each
//   live updates   - one EventSource on /api/v1/stream: an "incident", "notice" or "position" event's record (already
//                    the reader's view) is added or replaces the one drawn
//   filters        - the form above the map (time window, type, party, stage), applied here to what is loaded;
//                    positions follow the party filter (the holding party) only
//   positions      - GET /api/v1/positions (the withdrawal tracker), circle markers coloured by stage, a dashed
//                    ring when a scheduled withdrawal is overdue; popups link to /positions/{id}; live from the
//                    stream's "position" events like incidents
(function () {
  "use strict";

  var container = document.getElementById("map");
  if (!container || !window.L) return;
  var L = window.L;
  var banner = document.getElementById("map-schematic");
  var statusLine = document.getElementById("map-status");

  // Panes from bottom to top (Leaflet's overlayPane is 400, markerPane 600, popupPane 700).
  var PANES = { borders: 250, areas: 410, notices: 415, lines: 420, sites: 430, positions: 435, incidents: 440 };
  var AREA_KINDS = ["area-of-limitation", "area-of-separation", "economic-zone"]; // drawn in this order
  var NAME_LANGUAGES = ["en", "ar", "he"];
  var RECORD_KINDS = ["incidents", "notices-active", "notices-upcoming", "positions"];
  var LANGUAGE = document.documentElement.lang || "en";
  var RTL = window.getComputedStyle(container).direction === "rtl";
  // Latin digits in every language, as the server's own dates and figures (Babel) write them.
  var DATES = new Intl.DateTimeFormat(LANGUAGE + "-u-nu-latn", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

  // ---------- texts and small helpers ----------

  function text(name) {
    return container.getAttribute("data-text-" + name) || "";
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  // A name the cell gives in three languages, in the page's (English when it has none).
  function localName(names) {
    if (!names) return "";
    return names[LANGUAGE] || names.en || "";
  }

  // The cell's zones by code (from GET /api/v1/zones), so a record's zones are named, not coded.
  var zoneNames = {};

  function zoneList(codes) {
    return codes
      .map(function (code) {
        return localName(zoneNames[code]) || code;
      })
      .join(", ");
  }

  function kindLabel(kind) {
    var item = document.querySelector('.map-key [data-kind="' + kind + '"] .map-key-label');
    return item ? item.textContent.trim() : container.getAttribute("data-label-other") || kind;
  }

  // For the two Leaflet APIs that take HTML strings; everything else is built as DOM nodes.
  function escapeHtml(value) {
    var scratch = document.createElement("span");
    scratch.textContent = value;
    return scratch.innerHTML;
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined && content !== null) node.textContent = String(content);
    return node;
  }

  function numbers(attribute) {
    return (container.getAttribute(attribute) || "").split(",").map(Number);
  }

  function setStatus(message, isError) {
    statusLine.textContent = message;
    statusLine.classList.toggle("is-error", Boolean(isError));
    statusLine.hidden = !message;
  }

  function getJson(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json, application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  // ---------- the map ----------

  var region = numbers("data-bounds"); // south, west, north, east
  var map = L.map(container, {
    maxBounds: L.latLngBounds([region[0], region[1]], [region[2], region[3]]).pad(0.05),
    maxBoundsViscosity: 0.8,
    minZoom: 5,
    maxZoom: 15,
    zoomSnap: 0.5,
    zoomControl: false, // added below, with the page's words and on the page's side
    attributionControl: false,
  });
  var center = numbers("data-center");
  map.setView([center[0], center[1]], Number(container.getAttribute("data-zoom")) || 9);
  L.control
    .zoom({ position: RTL ? "topright" : "topleft", zoomInTitle: text("zoom-in"), zoomOutTitle: text("zoom-out") })
    .addTo(map);
  var attribution = L.control.attribution({ position: RTL ? "bottomleft" : "bottomright", prefix: escapeHtml("Leaflet") });
  attribution.addTo(map);
  // Leaflet's popups close with a button labelled in English: the page's word instead.
  map.on("popupopen", function (event) {
    var close = event.popup.getElement() && event.popup.getElement().querySelector(".leaflet-popup-close-button");
    if (close) close.setAttribute("aria-label", text("close"));
  });
  Object.keys(PANES).forEach(function (name) {
    map.createPane(name).style.zIndex = String(PANES[name]);
  });
  // The layers control lists overlays in this order, whichever finished loading first.
  var CONTROL_ORDER = AREA_KINDS.concat(["other", "line", "protected", "place"]).concat(RECORD_KINDS, ["borders"]);
  var overlays = [];
  var layersControl = L.control.layers(null, null, {
    position: RTL ? "topleft" : "topright",
    collapsed: window.matchMedia("(max-width: 60rem)").matches,
    sortLayers: true,
    sortFunction: function (a, b) {
      return rank(a) - rank(b);
    },
  }).addTo(map);
  var layersToggle = layersControl.getContainer().querySelector(".leaflet-control-layers-toggle");
  if (layersToggle) {
    layersToggle.title = text("layers");
    layersToggle.setAttribute("aria-label", text("layers"));
  }

  function rank(group) {
    for (var i = 0; i < overlays.length; i++) {
      if (overlays[i].group === group) {
        var position = CONTROL_ORDER.indexOf(overlays[i].key);
        return position < 0 ? CONTROL_ORDER.length : position;
      }
    }
    return CONTROL_ORDER.length;
  }

  function addOverlay(overlay) {
    overlays.push(overlay);
    overlay.group.addTo(map);
    layersControl.addOverlay(overlay.group, escapeHtml(overlay.label));
    updateBanner();
  }

  // The banner shows while any overlay holding a schematic feature is on the map.
  function updateBanner() {
    banner.hidden = !overlays.some(function (overlay) {
      return overlay.schematic && map.hasLayer(overlay.group);
    });
  }
  map.on("overlayadd overlayremove", updateBanner);

  // ---------- popups ----------

  // The three names, the page's language first (it is the one set in bold).
  function namesNode(names) {
    var block = element("div", "map-names");
    var order = [LANGUAGE].concat(
      NAME_LANGUAGES.filter(function (lang) {
        return lang !== LANGUAGE;
      })
    );
    order.forEach(function (lang) {
      if (!names || !names[lang]) return;
      var line = element("p", "map-name", names[lang]);
      line.lang = lang;
      line.dir = "auto";
      block.appendChild(line);
    });
    return block;
  }

  function limitsNode(limits) {
    var list = element("dl", "map-limits");
    Object.keys(limits).forEach(function (key) {
      var value = limits[key];
      if (value === null || value === undefined || value === false && key === "unverified") return;
      if (typeof value === "boolean") value = text(value ? "yes" : "no") || String(value);
      list.appendChild(element("dt", null, text("limit-" + key.replace(/_/g, "-")) || key.replace(/_/g, " ")));
      var detail = element("dd", null, value);
      detail.dir = "auto";
      list.appendChild(detail);
    });
    return list.childNodes.length ? list : null;
  }

  function popupFor(properties, kind) {
    var node = element("div", "map-popup");
    node.appendChild(namesNode(properties.names));
    // A zone says what kind it is; a place's names say enough.
    var label = element("p", "map-kind", kind === "place" || kind === "protected" ? "" : kindLabel(kind));
    if (properties.schematic) label.appendChild(element("span", "map-tag", text("schematic")));
    if (label.childNodes.length) node.appendChild(label);
    if (properties.applies_to) {
      node.appendChild(element("p", "map-fact", fill(text("applies-to"), { party: properties.applies_to })));
    }
    if (properties.protected) {
      node.appendChild(element("p", "map-fact", fill(text("protected"), { km: properties.radius_km })));
    }
    if (properties.approximate) node.appendChild(element("p", "map-fact", text("approximate")));
    if (properties.note) {
      var note = element("p", "map-fact", properties.note);
      note.dir = "auto";
      node.appendChild(note);
    }
    if (properties.limits && typeof properties.limits === "object") {
      var limits = limitsNode(properties.limits);
      if (limits) node.appendChild(limits);
    }
    return node;
  }

  function tooltipFor(properties) {
    var names = properties.names || {};
    var node = element("span", null, localName(names) || properties.code || "");
    node.dir = "auto";
    return node;
  }

  // ---------- overlay: country outlines ----------

  function drawBorders(collection) {
    var group = L.geoJSON(collection, {
      pane: "borders",
      className: "map-borders",
      interactive: false,
      smoothFactor: 0.5,
    });
    return { key: "borders", label: kindLabel("borders"), group: group, schematic: false };
  }

  // ---------- overlays: the cell's lines, zones and places ----------

  function categoryOf(feature) {
    var kind = (feature.properties || {}).kind;
    var type = feature.geometry && feature.geometry.type;
    if (type === "Point" || kind === "place") return "place";
    if (type === "LineString" || type === "MultiLineString" || kind === "line") return "line";
    return AREA_KINDS.indexOf(kind) >= 0 ? kind : "other";
  }

  function shapeLayer(feature, category) {
    var properties = feature.properties || {};
    var isLine = category === "line";
    var layer = L.geoJSON(feature, {
      pane: isLine ? "lines" : "areas",
      className: "map-zone map-zone--" + category,
      fill: !isLine && category !== "economic-zone", // outline only: the zone it shares ground with stays clickable
    });
    layer.bindPopup(function () {
      return popupFor(properties, category === "other" ? properties.kind || "other" : category);
    });
    if (isLine) layer.bindTooltip(tooltipFor(properties), { sticky: true });
    return layer;
  }

  function placeMarker(feature) {
    var properties = feature.properties || {};
    var coordinates = feature.geometry.coordinates;
    var classes = ["map-place-icon"];
    if (properties.protected) classes.push("map-place-icon--protected");
    if (properties.approximate) classes.push("map-place-icon--approximate");
    var marker = L.marker([coordinates[1], coordinates[0]], {
      icon: L.divIcon({ className: classes.join(" "), iconSize: [14, 14], html: false }),
      title: localName(properties.names) || properties.code || "",
      riseOnHover: true,
    });
    marker.bindPopup(function () {
      return popupFor(properties, "place");
    });
    return marker;
  }

  function protectedCircle(feature) {
    var properties = feature.properties || {};
    var coordinates = feature.geometry.coordinates;
    var circle = L.circle([coordinates[1], coordinates[0]], {
      pane: "sites",
      className: "map-site",
      radius: Number(properties.radius_km) * 1000,
    });
    circle.bindPopup(function () {
      return popupFor(properties, "protected");
    });
    return circle;
  }

  // One overlay per kind, in drawing order; empty ones are left out.
  function drawZones(collection) {
    var order = AREA_KINDS.concat(["other", "line", "protected", "place"]);
    var byCategory = {};
    order.forEach(function (category) {
      byCategory[category] = { key: category, label: kindLabel(category), group: L.featureGroup(), schematic: false };
    });
    var extent = L.latLngBounds([]);
    (collection.features || []).forEach(function (feature) {
      if (!feature || !feature.geometry) return;
      var properties = feature.properties || {};
      if (properties.code && properties.names) zoneNames[properties.code] = properties.names;
      var category = categoryOf(feature);
      if (category === "place") {
        byCategory.place.group.addLayer(placeMarker(feature));
        byCategory.place.schematic = byCategory.place.schematic || Boolean(properties.schematic);
        if (properties.protected && Number(properties.radius_km) > 0) {
          byCategory.protected.group.addLayer(protectedCircle(feature));
          byCategory.protected.schematic = byCategory.protected.schematic || Boolean(properties.schematic);
        }
        return;
      }
      var layer = shapeLayer(feature, category);
      byCategory[category].group.addLayer(layer);
      byCategory[category].schematic = byCategory[category].schematic || Boolean(properties.schematic);
      extent.extend(layer.getBounds());
    });
    return {
      overlays: order
        .map(function (category) {
          return byCategory[category];
        })
        .filter(function (overlay) {
          return overlay.group.getLayers().length > 0;
        }),
      extent: extent,
      count: (collection.features || []).length,
    };
  }

  // ---------- overlays: incidents and notices (records, as this caller may read them) ----------

  var filtersForm = document.getElementById("map-filters");
  var liveStatus = filtersForm ? filtersForm.querySelector("[data-live-status]") : null;
  var countsLine = filtersForm ? filtersForm.querySelector("[data-testid=map-counts]") : null;
  var recordOverlays = {};
  RECORD_KINDS.forEach(function (key) {
    recordOverlays[key] = { key: key, label: kindLabel(key), group: L.featureGroup(), schematic: false };
  });
  var incidents = {}; // id -> {record, layer}
  var notices = {}; // id -> {record, layer, key}
  var positions = {}; // id -> {record, layer}

  // The label of an option of the filter form (type and stage names come from the template); without the form
  // (the operations-room wall), a stage's word from the canvas.
  function optionLabel(name, value) {
    var select = filtersForm && filtersForm.elements[name];
    for (var i = 0; select && i < select.options.length; i++) {
      if (select.options[i].value === value) return select.options[i].textContent.replace(/^[\s–-]+/, "").trim();
    }
    var word = name === "stage" ? text("incident-stage-" + String(value).replace(/_/g, "-")) : "";
    return word || String(value).replace(/_/g, " ");
  }

  function when(iso) {
    var moment = new Date(iso);
    return isNaN(moment) ? String(iso || "") : DATES.format(moment);
  }

  function recordLink(href, label) {
    var paragraph = element("p", "map-fact");
    var link = element("a", null, label);
    link.href = href;
    paragraph.appendChild(link);
    return paragraph;
  }

  function incidentPopup(record) {
    var node = element("div", "map-popup map-popup--incident");
    node.appendChild(element("p", "map-name", optionLabel("type", record.type)));
    var facts = fill(text("severity"), { n: record.severity }) + " · " + optionLabel("stage", record.stage);
    if (record.status === "retracted") facts += " · " + text("retracted");
    node.appendChild(element("p", "map-kind", facts));
    node.appendChild(element("p", "map-fact", fill(text("occurred"), { when: when(record.occurred_at) })));
    node.appendChild(element("p", "map-fact", fill(text("reported-by"), { party: record.origin_party })));
    if (record.zones && record.zones.length) node.appendChild(element("p", "map-fact", zoneList(record.zones)));
    (record.violations || []).forEach(function (violation) {
      node.appendChild(element("p", "map-fact map-violation", localName(violation.names) || violation.rule));
    });
    if (record.description) {
      var description = element("p", "map-fact", record.description.slice(0, 240));
      description.dir = "auto";
      node.appendChild(description);
    }
    node.appendChild(recordLink("/incidents/" + encodeURIComponent(record.id), text("open-incident")));
    return node;
  }

  function incidentLayer(record) {
    var severity = Math.min(5, Math.max(1, Number(record.severity) || 1));
    // The record's id as a class too, so a test (or a link to a record) can find its marker.
    var classes = ["map-incident", "map-incident--sev-" + severity, "map-incident--" + record.stage];
    classes.push("map-record-" + String(record.id).replace(/[^0-9a-f-]/gi, ""));
    if (record.status === "retracted") classes.push("map-incident--retracted");
    var group = L.featureGroup();
    var area = record.area || (record.location && record.location.type === "Polygon" ? record.location : null);
    if (area) {
      group.addLayer(L.geoJSON(area, { pane: "incidents", className: "map-incident-area" }));
    }
    group.addLayer(
      L.circleMarker([record.lat, record.lon], {
        pane: "incidents",
        className: classes.join(" "),
        radius: 5 + 2 * severity, // a ring wider than a place's icon, so an incident at a place stays clickable
      })
    );
    group.bindPopup(function () {
      return incidentPopup(record);
    });
    if (!("description" in record)) {
      // The map feed's point: the account, zones and violations come with the incident itself, on opening.
      group.on("popupopen", function (event) {
        getJson("/api/v1/incidents/" + encodeURIComponent(record.id)).then(
          function (full) {
            event.popup.setContent(incidentPopup(full));
          },
          function () {}
        );
      });
    }
    return group;
  }

  function noticePopup(record, key) {
    var node = element("div", "map-popup map-popup--notice");
    node.appendChild(element("p", "map-name", text("activity-" + record.activity) || String(record.activity || "").replace(/[-_]/g, " ")));
    node.appendChild(element("p", "map-kind", text(key === "notices-active" ? "active" : "upcoming")));
    var window_ = fill(text("window"), { from: when(record.starts_at), until: when(record.ends_at) });
    node.appendChild(element("p", "map-fact", window_));
    node.appendChild(element("p", "map-fact", fill(text("given-by"), { party: record.origin_party })));
    if (record.description) {
      var description = element("p", "map-fact", record.description.slice(0, 240));
      description.dir = "auto";
      node.appendChild(description);
    }
    var href = "/api/v1/notices/" + encodeURIComponent(record.id);
    node.appendChild(recordLink(href, text("open-notice")));
    return node;
  }

  // active or upcoming now; null for one that announces nothing on the map (over, retracted, no area).
  function noticeKey(record) {
    if (!record.area || record.status === "retracted") return null;
    var now = Date.now();
    var starts = Date.parse(record.starts_at);
    var ends = Date.parse(record.ends_at);
    if (ends <= now) return null;
    return starts <= now ? "notices-active" : "notices-upcoming";
  }

  function noticeLayer(record, key) {
    var layer = L.geoJSON(record.area, {
      pane: "notices",
      className: "map-notice map-notice--" + key.replace("notices-", ""),
    });
    layer.bindPopup(function () {
      return noticePopup(record, key);
    });
    return layer;
  }

  // A scheduled withdrawal past its due date, as of now (the server's flag was as of its answer).
  function positionOverdue(record) {
    return record.stage === "scheduled" && Boolean(record.due_at) && Date.parse(record.due_at) <= Date.now();
  }

  function positionPopup(record) {
    var node = element("div", "map-popup map-popup--position");
    var name = element("p", "map-name", record.name);
    name.dir = "auto";
    node.appendChild(name);
    var facts = text("stage-" + record.stage) || String(record.stage || "");
    if (positionOverdue(record)) facts += " · " + text("overdue");
    node.appendChild(element("p", "map-kind", facts));
    node.appendChild(element("p", "map-fact", fill(text("held-by"), { party: record.holding_party })));
    if (record.stage === "scheduled" && record.due_at) {
      node.appendChild(element("p", "map-fact", fill(text("due"), { when: when(record.due_at) })));
    }
    if (record.zones && record.zones.length) node.appendChild(element("p", "map-fact", zoneList(record.zones)));
    if (record.description) {
      var description = element("p", "map-fact", record.description.slice(0, 240));
      description.dir = "auto";
      node.appendChild(description);
    }
    node.appendChild(recordLink("/positions/" + encodeURIComponent(record.id), text("open-position")));
    return node;
  }

  function positionLayer(record) {
    var stage = String(record.stage || "occupied").replace(/[^a-z]/g, "");
    var classes = ["map-position", "map-position--" + stage];
    classes.push("map-record-" + String(record.id).replace(/[^0-9a-f-]/gi, ""));
    if (positionOverdue(record)) classes.push("map-position--overdue");
    var group = L.featureGroup();
    if (record.location && record.location.type === "Polygon") {
      group.addLayer(L.geoJSON(record.location, { pane: "positions", className: "map-position-area" }));
    }
    group.addLayer(L.circleMarker([record.lat, record.lon], { pane: "positions", className: classes.join(" "), radius: 8 }));
    group.bindPopup(function () {
      return positionPopup(record);
    });
    return group;
  }

  function newer(known, record) {
    return !known || !(Number(known.record.version) > Number(record.version));
  }

  function putIncident(record) {
    if (!record || !record.id || typeof record.lat !== "number") return;
    var known = incidents[record.id];
    if (!newer(known, record)) return;
    if (known) recordOverlays.incidents.group.removeLayer(known.layer);
    incidents[record.id] = { record: record, layer: incidentLayer(record) };
  }

  function putNotice(record) {
    if (!record || !record.id) return;
    var known = notices[record.id];
    if (!newer(known, record)) return;
    if (known) recordOverlays[known.key].group.removeLayer(known.layer);
    delete notices[record.id];
    var key = noticeKey(record);
    if (key) notices[record.id] = { record: record, layer: noticeLayer(record, key), key: key };
  }

  function putPosition(record) {
    if (!record || !record.id || typeof record.lat !== "number") return;
    var known = positions[record.id];
    if (!newer(known, record)) return;
    if (known) recordOverlays.positions.group.removeLayer(known.layer);
    positions[record.id] = { record: record, layer: positionLayer(record), overdue: positionOverdue(record) };
  }

  // ---------- filters ----------

  function currentFilters() {
    var form = filtersForm ? filtersForm.elements : {};
    var value = function (name) {
      return form[name] ? form[name].value : "";
    };
    var typeOption = form.type ? form.type.options[form.type.selectedIndex] : null;
    var codes = typeOption && typeOption.value ? (typeOption.getAttribute("data-codes") || typeOption.value).split(",") : null;
    var hours = Number(value("window"));
    return {
      since: hours > 0 ? Date.now() - hours * 3600 * 1000 : null,
      types: codes,
      party: value("party"),
      stage: value("stage"),
    };
  }

  function showsIncident(record, filters) {
    if (filters.since !== null && Date.parse(record.occurred_at) < filters.since) return false;
    if (filters.types && filters.types.indexOf(record.type) < 0) return false;
    if (filters.party && record.origin_party !== filters.party) return false;
    return !filters.stage || record.stage === filters.stage;
  }

  function showsNotice(record, filters) {
    return !filters.party || record.origin_party === filters.party;
  }

  function showsPosition(record, filters) {
    return !filters.party || record.holding_party === filters.party;
  }

  function applyFilters() {
    var filters = currentFilters();
    var shown = { incidents: 0, notices: 0, positions: 0 };
    Object.keys(incidents).forEach(function (id) {
      var entry = incidents[id];
      var group = recordOverlays.incidents.group;
      if (showsIncident(entry.record, filters)) {
        if (!group.hasLayer(entry.layer)) group.addLayer(entry.layer);
        shown.incidents++;
      } else if (group.hasLayer(entry.layer)) {
        group.removeLayer(entry.layer);
      }
    });
    Object.keys(notices).forEach(function (id) {
      var entry = notices[id];
      var group = recordOverlays[entry.key].group;
      if (showsNotice(entry.record, filters)) {
        if (!group.hasLayer(entry.layer)) group.addLayer(entry.layer);
        shown.notices++;
      } else if (group.hasLayer(entry.layer)) {
        group.removeLayer(entry.layer);
      }
    });
    Object.keys(positions).forEach(function (id) {
      var entry = positions[id];
      var group = recordOverlays.positions.group;
      if (showsPosition(entry.record, filters)) {
        if (!group.hasLayer(entry.layer)) group.addLayer(entry.layer);
        shown.positions++;
      } else if (group.hasLayer(entry.layer)) {
        group.removeLayer(entry.layer);
      }
    });
    container.setAttribute("data-positions-shown", String(shown.positions));
    container.setAttribute("data-incidents-shown", String(shown.incidents));
    container.setAttribute("data-notices-shown", String(shown.notices));
    if (countsLine) countsLine.textContent = fill(text("counts"), shown);
  }

  if (filtersForm) {
    filtersForm.addEventListener("change", applyFilters);
    filtersForm.addEventListener("submit", function (event) {
      event.preventDefault();
      applyFilters();
    });
  }

  // An upcoming notice becomes active, an active one ends, a scheduled withdrawal falls overdue: sorted again
  // each minute.
  window.setInterval(function () {
    var moved = false;
    Object.keys(notices).forEach(function (id) {
      var entry = notices[id];
      if (noticeKey(entry.record) === entry.key) return;
      recordOverlays[entry.key].group.removeLayer(entry.layer);
      delete notices[id];
      putNotice(entry.record);
      moved = true;
    });
    Object.keys(positions).forEach(function (id) {
      var entry = positions[id];
      if (positionOverdue(entry.record) === entry.overdue) return;
      recordOverlays.positions.group.removeLayer(entry.layer);
      positions[id] = { record: entry.record, layer: positionLayer(entry.record), overdue: !entry.overdue };
      moved = true;
    });
    if (moved) applyFilters();
  }, 60000);

  var incidentsTruncated = false; // the map feed holds the newest incidents only: say so

  function loadRecords() {
    RECORD_KINDS.forEach(function (key) {
      addOverlay(recordOverlays[key]);
    });
    var base = container.getAttribute("data-notices-url");
    var separator = base.indexOf("?") < 0 ? "?" : "&";
    var loads = [
      getJson(container.getAttribute("data-incidents-url")).then(function (page) {
        (page.items || []).forEach(putIncident);
        incidentsTruncated = Boolean(page.truncated);
      }),
      getJson(base + separator + "when=active&limit=200").then(function (page) {
        (page.items || []).forEach(putNotice);
      }),
      getJson(base + separator + "when=upcoming&limit=200").then(function (page) {
        (page.items || []).forEach(putNotice);
      }),
      getJson(container.getAttribute("data-positions-url")).then(function (page) {
        (page.items || []).forEach(putPosition);
      }),
    ];
    return Promise.all(loads).then(
      function () {
        applyFilters();
        return true;
      },
      function () {
        applyFilters();
        return false;
      }
    );
  }

  // ---------- live updates ----------

  var lastEventId = container.getAttribute("data-stream-after");
  var source = null;
  var retryDelay = 5000;

  function setLive(state) {
    if (!liveStatus) return;
    liveStatus.textContent = liveStatus.getAttribute("data-text-" + state) || "";
    liveStatus.setAttribute("data-state", state);
  }

  function onRecord(event) {
    var data;
    try {
      data = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (event.lastEventId) lastEventId = event.lastEventId;
    if (!data || typeof data.record !== "object" || !data.record) return;
    var kind = data.kind || event.type;
    if (kind === "incident") putIncident(data.record);
    else if (kind === "notice") putNotice(data.record);
    else if (kind === "position") putPosition(data.record);
    else return;
    applyFilters();
  }

  function connect() {
    if (!window.EventSource) {
      setLive("offline");
      return;
    }
    setLive("connecting");
    var url = "/api/v1/stream" + (/^-?\d+$/.test(lastEventId || "") ? "?last_event_id=" + lastEventId : "");
    try {
      source = new window.EventSource(url);
    } catch (e) {
      setLive("offline");
      return;
    }
    source.addEventListener("incident", onRecord);
    source.addEventListener("notice", onRecord);
    source.addEventListener("position", onRecord);
    source.addEventListener("open", function () {
      setLive("live");
      retryDelay = 5000;
    });
    source.addEventListener("error", function () {
      if (source.readyState === window.EventSource.CLOSED) {
        setLive("offline");
        source = null;
        window.setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 120000);
      } else {
        setLive("connecting");
      }
    });
  }

  window.addEventListener("pagehide", function () {
    if (source) source.close();
  });

  // ---------- loading ----------

  var borders = getJson(container.getAttribute("data-borders-url")).then(
    function (collection) {
      addOverlay(drawBorders(collection));
      attribution.addAttribution(escapeHtml(text("attribution")));
      return true;
    },
    function () {
      return false;
    }
  );
  var zones = getJson(container.getAttribute("data-zones-url")).then(
    function (collection) {
      var drawn = drawZones(collection);
      drawn.overlays.forEach(addOverlay);
      if (drawn.extent.isValid()) map.fitBounds(drawn.extent, { padding: [24, 24], maxZoom: 11, animate: false });
      container.setAttribute("data-zones-drawn", String(drawn.count));
      return true;
    },
    function () {
      return false;
    }
  );
  var records = loadRecords();
  Promise.all([borders, zones, records]).then(function (outcome) {
    if (!outcome[1]) setStatus(text("zones-failed"), true);
    else if (!outcome[0]) setStatus(text("borders-failed"), true);
    else if (!outcome[2]) setStatus(text("records-failed"), true);
    else setStatus(incidentsTruncated ? text("truncated") : "", false);
    container.setAttribute("data-state", outcome[0] && outcome[1] && outcome[2] ? "ready" : "incomplete");
    connect(); // live updates once what they update is on the map
  });
})();

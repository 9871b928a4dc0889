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
// Every text the user reads comes from the template (data-text-* on #map, the legend's labels).
//
// Structure for the slices to come: one draw function per overlay, each returning an Overlay
// ({key, label, group, schematic}) that addOverlay() puts on the map and in the layers control.
//   drawIncidents  - GET /api/v1/incidents, styled by severity and status (not yet)
//   drawNotices    - deconfliction notices, active and upcoming (not yet)
//   drawPositions  - the withdrawal tracker's positions (not yet)
//   live updates   - one EventSource on /api/v1/stream handing each record to the overlay of its kind (not yet)
//   filters        - time window, type, party, status, applied per overlay (not yet)
(function () {
  "use strict";

  var container = document.getElementById("map");
  if (!container || !window.L) return;
  var L = window.L;
  var banner = document.getElementById("map-schematic");
  var statusLine = document.getElementById("map-status");

  // Panes from bottom to top (Leaflet's overlayPane is 400, markerPane 600, popupPane 700).
  var PANES = { borders: 250, areas: 410, lines: 420, sites: 430 };
  var AREA_KINDS = ["area-of-limitation", "area-of-separation", "economic-zone"]; // drawn in this order
  var NAME_LANGUAGES = ["en", "ar", "he"];

  // ---------- texts and small helpers ----------

  function text(name) {
    return container.getAttribute("data-text-" + name) || "";
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
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
  });
  var center = numbers("data-center");
  map.setView([center[0], center[1]], Number(container.getAttribute("data-zoom")) || 9);
  map.attributionControl.setPrefix(escapeHtml("Leaflet"));
  Object.keys(PANES).forEach(function (name) {
    map.createPane(name).style.zIndex = String(PANES[name]);
  });
  // The layers control lists overlays in this order, whichever finished loading first.
  var CONTROL_ORDER = AREA_KINDS.concat(["other", "line", "protected", "place", "borders"]);
  var overlays = [];
  var layersControl = L.control.layers(null, null, {
    collapsed: window.matchMedia("(max-width: 60rem)").matches,
    sortLayers: true,
    sortFunction: function (a, b) {
      return rank(a) - rank(b);
    },
  }).addTo(map);

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

  function namesNode(names) {
    var block = element("div", "map-names");
    NAME_LANGUAGES.forEach(function (lang) {
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
      list.appendChild(element("dt", null, key.replace(/_/g, " ")));
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
    var node = element("span", null, names.en || properties.code || "");
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
      title: (properties.names && properties.names.en) || properties.code || "",
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

  // ---------- loading ----------

  var borders = getJson(container.getAttribute("data-borders-url")).then(
    function (collection) {
      addOverlay(drawBorders(collection));
      map.attributionControl.addAttribution(escapeHtml(text("attribution")));
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
  Promise.all([borders, zones]).then(function (outcome) {
    if (!outcome[1]) setStatus(text("zones-failed"), true);
    else if (!outcome[0]) setStatus(text("borders-failed"), true);
    else setStatus("", false);
    container.setAttribute("data-state", outcome[0] && outcome[1] ? "ready" : "incomplete");
  });
})();

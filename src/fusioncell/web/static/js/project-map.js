// A project's site on the map (templates/project.html, GET /projects/{id}), drawn with the vendored Leaflet as the
// map page draws its base: no tile layer (nothing from the internet), the country outlines shipped with the
// project (static/map/borders.geojson) and the cell's lines and zones from GET /api/v1/zones (with the session
// cookie), painted by map.css's classes. The site itself comes from the page (data-site, GeoJSON written by
// the server); every text comes from data-text-* and is set as text, never as HTML.
(function () {
  "use strict";

  var container = document.getElementById("project-map");
  if (!container || !window.L) return;
  var L = window.L;
  var statusLine = document.getElementById("project-map-status");

  function text(name) {
    return container.getAttribute("data-text-" + name) || "";
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } }).then(
      function (response) {
        if (!response.ok) throw new Error(url + ": HTTP " + response.status);
        return response.json();
      }
    );
  }

  // Right-to-left pages get Leaflet's controls mirrored through its own `position` option, as on the map page.
  var RTL = window.getComputedStyle(container).direction === "rtl";
  var map = L.map(container, { minZoom: 5, maxZoom: 15, zoomSnap: 0.5, zoomControl: false, attributionControl: false });
  L.control
    .zoom({ position: RTL ? "topright" : "topleft", zoomInTitle: text("zoom-in"), zoomOutTitle: text("zoom-out") })
    .addTo(map);
  var attribution = L.control.attribution({ position: RTL ? "bottomleft" : "bottomright", prefix: "Leaflet" });
  attribution.addTo(map);
  attribution.addAttribution(text("attribution").replace(/[<>&"]/g, ""));
  map.createPane("borders").style.zIndex = "250";
  map.createPane("areas").style.zIndex = "410";
  map.createPane("site").style.zIndex = "450";

  var site = L.geoJSON(JSON.parse(container.getAttribute("data-site")), {
    pane: "site",
    className: "map-project-site",
    color: "#1f5f9e",
    weight: 3,
    fillOpacity: 0.35,
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { pane: "site", className: "map-project-site", radius: 9, color: "#1f5f9e", weight: 3, fillOpacity: 0.6 });
    },
  }).addTo(map);
  site.bindTooltip(text("site"));
  map.fitBounds(site.getBounds().pad(0.5), { maxZoom: 11 });

  function zoneLayer(feature) {
    var kind = (feature.properties || {}).kind || "other";
    var type = feature.geometry && feature.geometry.type;
    if (type === "Point") return null; // places: the map page shows them
    var isLine = type === "LineString" || type === "MultiLineString" || kind === "line";
    return L.geoJSON(feature, {
      pane: "areas",
      className: "map-zone map-zone--" + (isLine ? "line" : kind),
      fill: !isLine && kind !== "economic-zone",
      interactive: false,
    });
  }

  var borders = getJson(container.getAttribute("data-borders-url")).then(function (collection) {
    L.geoJSON(collection, { pane: "borders", className: "map-borders", interactive: false }).addTo(map);
  });
  var zones = getJson(container.getAttribute("data-zones-url")).then(function (collection) {
    (collection.features || []).forEach(function (feature) {
      var layer = zoneLayer(feature);
      if (layer) layer.addTo(map);
    });
  });
  Promise.all([borders, zones])
    .then(function () {
      container.setAttribute("data-state", "drawn");
    })
    .catch(function () {
      statusLine.textContent = text("failed");
      statusLine.hidden = false;
      container.setAttribute("data-state", "partial");
    });
})();

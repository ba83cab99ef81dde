/* Common Ground's /coverage page: a map of the cities it checks, added when JavaScript runs.
   The page says everything without it; Leaflet is loaded as on the meetings map (finder.js). */
(function () {
  "use strict";
  var mapBox = document.getElementById("coverage-map");
  var pointsData = document.getElementById("coverage-points");
  if (!mapBox || !pointsData) return;
  var css = document.createElement("link");
  css.rel = "stylesheet"; css.href = mapBox.dataset.leafletCss;
  document.head.appendChild(css);
  var script = document.createElement("script");
  script.src = mapBox.dataset.leafletJs;
  script.onload = function () {
    var points = JSON.parse(pointsData.textContent);
    mapBox.textContent = "";
    var map = window.L.map(mapBox, { scrollWheelZoom: false, worldCopyJump: true });
    if (mapBox.dataset.tiles) {
      window.L.tileLayer(mapBox.dataset.tiles, { maxZoom: 12, attribution: "© OpenStreetMap contributors" }).addTo(map);
    }
    // Each city as the circle a search near it reaches; the words say the count, the colour repeats it.
    var colours = { none: "#8a1c1c", thin: "#9a6b00", ok: "#1e6b3a" };
    var bounds = [];
    points.forEach(function (p) {
      window.L.circle([p.lat, p.lng], {
        radius: 50000, color: colours[p.band] || "#4b5560", weight: 2, fillOpacity: 0.35
      }).bindTooltip(p.text).addTo(map);
      bounds.push([p.lat, p.lng]);
    });
    // Every checked city in view, as near as the box allows (a phone sees the whole world).
    if (bounds.length) { map.fitBounds(bounds, { padding: [8, 8] }); } else { map.setView([25, 0], 1); }
    mapBox.setAttribute("data-ready", String(points.length));
  };
  document.head.appendChild(script);
})();

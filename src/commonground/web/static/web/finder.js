/* Common Ground: small enhancements. Every page works without this file. */
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }

  // Show times in the visitor's own zone when the page has no place or zone to go by.
  function withZone(href) {
    if (!zone || href.indexOf("tz=") !== -1) return href;
    return href + (href.indexOf("?") === -1 ? "?" : "&") + "tz=" + encodeURIComponent(zone);
  }
  document.querySelectorAll("a[data-add-tz]").forEach(function (a) { a.href = withZone(a.getAttribute("href")); });
  var tzSelect = document.getElementById("id_tz");
  if (tzSelect && !tzSelect.value && zone && !new URLSearchParams(location.search).get("near")) {
    if (!Array.prototype.some.call(tzSelect.options, function (o) { return o.value === zone; })) {
      tzSelect.add(new Option(zone.replace(/_/g, " "), zone), 1);
    }
    tzSelect.value = zone;
  }

  // The fit finder: the browser's zone for online times, and questions shown only when relevant
  // (without JavaScript every question shows).
  var zoneSelect = document.querySelector("select[data-browser-zone]");
  if (zoneSelect && !zoneSelect.value && zone) {
    if (!Array.prototype.some.call(zoneSelect.options, function (o) { return o.value === zone; })) {
      zoneSelect.add(new Option(zone, zone), 1);
    }
    zoneSelect.value = zone;
  }
  var fitForm = document.querySelector("form.fit");
  if (fitForm) {
    var conditional = fitForm.querySelectorAll("fieldset[data-show-when]");
    var refresh = function () {
      conditional.forEach(function (fieldset) {
        var show = fieldset.dataset.showWhen.split(";").every(function (rule) {
          var parts = rule.split(":"), wanted = parts[1].split(",");
          return Array.prototype.some.call(fitForm.querySelectorAll("[name='" + parts[0] + "']:checked"),
            function (input) { return wanted.indexOf(input.value) !== -1; });
        });
        fieldset.hidden = !show;
      });
    };
    fitForm.addEventListener("change", refresh);
    refresh();
  }

  // "Use my location" and "near me": the browser's position instead of a typed place.
  function locate(onPlace) {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(function (pos) {
      onPlace(pos.coords.latitude.toFixed(4), pos.coords.longitude.toFixed(4));
    }, function () { /* refused or unavailable: the typed place still works */ }, { timeout: 10000, maximumAge: 600000 });
  }
  document.querySelectorAll("[data-locate]").forEach(function (button) {
    if (!navigator.geolocation) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      locate(function (lat, lng) {
        var params = new URLSearchParams(location.pathname === "/meetings" ? location.search : "");
        params.delete("near"); params.delete("offset");
        params.set("lat", lat); params.set("lng", lng);
        location.href = "/meetings?" + params.toString();
      });
    });
  });
  document.querySelectorAll("a[data-near-me]").forEach(function (a) {
    if (!navigator.geolocation) return;
    a.addEventListener("click", function (event) {
      event.preventDefault();
      locate(function (lat, lng) { location.href = withZone("/meetings?day=today&lat=" + lat + "&lng=" + lng); });
    });
  });

  // Filters: update the results in place when a choice changes (the form still submits normally).
  var form = document.querySelector("form.filters");
  var results = document.getElementById("results");
  if (form && results && window.fetch && window.history) {
    form.addEventListener("change", function (event) {
      if (event.target.name === "near" || event.target.type === "time") return;
      var url = "/meetings?" + new URLSearchParams(new FormData(form)).toString();
      fetch(url, { headers: { "Accept": "text/html" } }).then(function (response) { return response.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("results");
          if (!fresh) { location.href = url; return; }
          results.replaceWith(fresh); results = fresh;
          history.replaceState(null, "", url);
          // On a phone the list is above the form: say here what changed.
          var status = form.querySelector(".filters-status");
          var summary = fresh.querySelector(".summary, .empty");
          if (status && summary) { status.textContent = summary.firstChild ? summary.firstChild.textContent.trim() : ""; }
        }).catch(function () { location.href = url; });
    });
  }

  // The map loads Leaflet only when the visitor asks for it.
  var mapBox = document.getElementById("map");
  var pointsData = document.getElementById("map-points");
  if (mapBox && pointsData) {
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = mapBox.dataset.leafletCss || "/static/web/leaflet/leaflet.css";
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = mapBox.dataset.leafletJs || "/static/web/leaflet/leaflet.js";
    script.onload = function () {
      var points = JSON.parse(pointsData.textContent);
      mapBox.textContent = "";
      // Static files carry hashed names; point Leaflet at its images explicitly.
      if (mapBox.dataset.leafletImages) { window.L.Icon.Default.imagePath = mapBox.dataset.leafletImages; }
      var map = window.L.map(mapBox, { scrollWheelZoom: false });
      if (mapBox.dataset.tiles) {
        window.L.tileLayer(mapBox.dataset.tiles, { maxZoom: 19, attribution: "© OpenStreetMap contributors" }).addTo(map);
      }
      var bounds = [];
      points.forEach(function (p) {
        // A ZIP or city centre is an area, not a building: a dashed circle instead of a pin.
        var marker = p.approximate
          ? window.L.circle([p.lat, p.lng], { radius: 1500, dashArray: "6 6", weight: 2, fillOpacity: 0.08, className: "approximate" }).addTo(map)
          : window.L.marker([p.lat, p.lng], { title: p.name, alt: p.name }).addTo(map);
        var link = document.createElement("a");
        link.href = p.url; link.textContent = p.name;
        var popup = link;
        if (p.approximate) {
          popup = document.createElement("div");
          var note = document.createElement("p");
          note.className = "small"; note.textContent = p.note || "";
          popup.appendChild(link); popup.appendChild(note);
          marker.bindTooltip(p.name);
        }
        marker.bindPopup(popup);
        bounds.push([p.lat, p.lng]);
      });
      if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 }); } else { map.setView([20, 0], 2); }
      mapBox.setAttribute("data-ready", String(points.length));
    };
    document.head.appendChild(script);
  }
})();

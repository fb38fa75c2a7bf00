/* ccusplan report: the network map (Leaflet) and sortable tables.
   The map's data is window.CCUSPLAN_MAP (see ccusplan/report/web_map.py). */
(function () {
  "use strict";

  function legendHtml(d, mode) {
    var h = '<h4>Pipes coloured by <select id="pipe-colour">' +
      '<option value="period"' + (mode === "period" ? " selected" : "") + '>build period</option>' +
      '<option value="size"' + (mode === "size" ? " selected" : "") + '>capacity</option></select></h4>';
    if (mode === "period") {
      d.legend.periods.forEach(function (p) {
        h += '<div><span class="sw" style="border-top:5px solid ' + p[1] + '"></span>' + p[0] + "</div>";
      });
      h += "<div>sites: the same colours (equipped, opened)</div>";
    }
    h += "<h4>Pipe capacity (width)</h4>";
    d.legend.capacity.forEach(function (c) {
      var colour = mode === "size" ? c[1] : "#555";
      h += '<div><span class="sw" style="border-top:' + Math.round(c[2]) + "px solid " + colour +
        '"></span>' + c[0].toLocaleString() + " Mt/yr</div>";
    });
    h += "<h4>Capture site (area: Mt/yr captured)</h4>";
    d.legend.capture.forEach(function (c) {
      var w = Math.round(2 * c[1]);
      h += '<div><span class="dot" style="width:' + w + "px;height:" + w + 'px"></span>' +
        c[0].toLocaleString() + " Mt/yr</div>";
    });
    h += '<h4>Storage site</h4><div><span class="gauge" style="display:inline-block;' +
      'vertical-align:middle;margin-right:6px"><i style="height:60%"></i></span>' +
      "fill: share of capacity used by the end</div>";
    return h;
  }

  function drawMap(d) {
    var el = document.getElementById("map");
    if (!el) { return; }
    if (!d.bounds) {
      el.innerHTML = '<div class="map-empty">No network was built: nothing to map.</div>';
      return;
    }
    var map = L.map(el, { preferCanvas: false, zoomSnap: 0.25 });
    var overlays = {};
    if (d.geography) {
      // under the tiles' pane: seen when the tiles cannot be loaded (or are switched off)
      el.style.background = d.geography.sea;
      map.createPane("geography").style.zIndex = 150;
      var geo = L.geoJSON(d.geography.data, { pane: "geography", interactive: false,
        attribution: d.geography.attribution,
        style: function (f) { return d.geography.style[f.properties.layer]; } });
      geo.addTo(map);
      overlays["Land, coasts, borders (Natural Earth)"] = geo;
    }
    if (d.tiles) {
      var tiles = L.tileLayer(d.tiles.url, { attribution: d.tiles.attribution, maxZoom: 18 });
      var note = L.control({ position: "topleft" });
      note.onAdd = function () {
        var n = L.DomUtil.create("div", "tiles-note");
        n.textContent = "map tiles unavailable (offline?): network over Natural Earth's coasts and borders";
        return n;
      };
      var noted = false;
      tiles.on("tileerror", function () { if (!noted) { noted = true; note.addTo(map); } });
      tiles.addTo(map);
      overlays["Map tiles (OpenStreetMap)"] = tiles;
    }
    var existing = L.layerGroup(), pipes = L.layerGroup(), sources = L.layerGroup(),
      sinks = L.layerGroup(), junctions = L.layerGroup();
    var lines = d.pipes.map(function (p) {
      if (p.existing) {
        L.polyline(p.latlngs, { color: "#222", weight: p.weight + 4, opacity: 0.85,
          className: "ccus-existing", interactive: false }).addTo(existing);
      }
      var line = L.polyline(p.latlngs, { color: p.colour.period, weight: p.weight, opacity: 0.95,
        lineCap: "round", dashArray: p.dash || null, className: "ccus-pipe" });
      line.bindTooltip(p.tip, { sticky: true });
      line.colours = p.colour;
      return line.addTo(pipes);
    });
    d.junctions.forEach(function (j) {
      L.circleMarker(j.latlng, { radius: 3.5, color: "#444", weight: 1.5, fillColor: "#fff",
        fillOpacity: 1, className: "ccus-junction" }).bindTooltip(j.tip).addTo(junctions);
    });
    d.sources.forEach(function (s) {
      L.circleMarker(s.latlng, { radius: s.radius, color: "#111", weight: 1, fillColor: s.colour,
        fillOpacity: 0.85, className: "ccus-source" }).bindTooltip(s.tip).addTo(sources);
    });
    d.sinks.forEach(function (k) {
      var icon = L.divIcon({ className: "ccus-sink", iconSize: [26, 26], html:
        '<div class="gauge" style="border-color:' + k.colour + '"><i style="height:' +
        (100 * k.share).toFixed(1) + '%"></i></div>' });
      L.marker(k.latlng, { icon: icon, keyboard: false }).bindTooltip(k.tip).addTo(sinks);
    });
    [existing, pipes, junctions, sources, sinks].forEach(function (g) { g.addTo(map); });
    overlays["Pipelines"] = pipes;
    overlays["Existing lines"] = existing;
    overlays["Capture sites"] = sources;
    overlays["Storage sites"] = sinks;
    overlays["Junctions, pass-through nodes"] = junctions;
    L.control.layers(null, overlays, { collapsed: true }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);

    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "legend");
      div.innerHTML = legendHtml(d, "period");
      L.DomEvent.disableClickPropagation(div);
      div.addEventListener("change", function (e) {
        var mode = e.target.value;
        lines.forEach(function (l) { l.setStyle({ color: l.colours[mode] }); });
        div.innerHTML = legendHtml(d, mode);
      });
      return div;
    };
    legend.addTo(map);
    map.fitBounds(d.bounds, { paddingTopLeft: [60, 60], paddingBottomRight: [250, 60],
      maxZoom: 11 });
  }

  function sortable(table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, i) {
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("asc");
        Array.prototype.forEach.call(heads, function (h) { h.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        var numeric = th.classList.contains("num");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[i].getAttribute("data-v"), y = b.cells[i].getAttribute("data-v");
          if (numeric) {
            x = x === "" ? -Infinity : parseFloat(x);
            y = y === "" ? -Infinity : parseFloat(y);
            return asc ? x - y : y - x;
          }
          return asc ? x.localeCompare(y, undefined, { numeric: true })
            : y.localeCompare(x, undefined, { numeric: true });
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawMap(window.CCUSPLAN_MAP);
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), sortable);
  });
})();

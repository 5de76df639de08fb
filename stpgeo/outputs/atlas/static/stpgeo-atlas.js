/* stpgeo atlas: the pages' maps, search and tables. Plain Leaflet 1.9, no network:
 * the polygons come from the site's shared assets (assets/wards-*.js, footprints-*.js),
 * each a topology (stpgeo/outputs/maps/topology.py) registered with stpgeoAtlas.add. */
(function () {
  "use strict";
  var atlas = (window.stpgeoAtlas = window.stpgeoAtlas || {});
  var assets = {};        // name -> the data an asset script registered
  var waiting = {};       // name -> callbacks waiting for it
  var decoded = {};       // name -> {arcs, features (with bounds)}
  var COLOURS = { w: "#77AADD", s: "#DDAA33", o: "#BB5566", n: "#BBBBBB", u: "#FFFFFF" };
  var LABELS = { w: "within the council's home footprints", s: "split: partly outside them",
                 o: "wholly outside them", n: "in no footprint", u: "council unknown" };
  atlas.COLOURS = COLOURS;
  atlas.LABELS = LABELS;

  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(
      /[&<>"']/g, function (c) {
        return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
      });
  }
  function number(value) { return Number(value).toLocaleString("en-GB"); }
  atlas.esc = esc;
  atlas.number = number;

  /** An asset script calls this with its data. */
  atlas.add = function (name, data) {
    assets[name] = data;
    (waiting[name] || []).forEach(function (callback) { callback(data); });
    delete waiting[name];
  };

  /** Load an asset (a script beside the page, under ``root``), then call back. Works
   * from the file system: a script element, not a request for JSON. */
  atlas.load = function (root, name, callback) {
    if (assets[name]) { callback(assets[name]); return; }
    if (waiting[name]) { waiting[name].push(callback); return; }
    waiting[name] = [callback];
    var script = document.createElement("script");
    script.src = root + name + ".js";
    script.onerror = function () {
      var note = document.getElementById("map-note");
      if (note) { note.textContent = "The map's data (" + name + ".js) could not be read."; }
    };
    document.head.appendChild(script);
  };

  /** A topology's arcs as [lat, lng] lists, and its features with their bounds. */
  function decode(name) {
    if (decoded[name]) { return decoded[name]; }
    var topology = assets[name], scale = topology.scale;
    var arcs = topology.arcs.map(function (flat) {
      var x = 0, y = 0, points = [];
      for (var i = 0; i < flat.length; i += 2) {
        x += flat[i]; y += flat[i + 1];
        points.push([y / scale, x / scale]);
      }
      return points;
    });
    var features = topology.features.map(function (feature) {
      var south = 90, west = 180, north = -90, east = -180;
      (feature.polygons || []).forEach(function (rings) {
        rings[0].forEach(function (index) {
          arcs[index >= 0 ? index : ~index].forEach(function (p) {
            if (p[0] < south) { south = p[0]; } if (p[0] > north) { north = p[0]; }
            if (p[1] < west) { west = p[1]; } if (p[1] > east) { east = p[1]; }
          });
        });
      });
      return { properties: feature.properties, polygons: feature.polygons || [],
               bounds: [[south, west], [north, east]] };
    });
    decoded[name] = { arcs: arcs, features: features };
    return decoded[name];
  }

  function ring(arcs, indices) {
    var points = [];
    indices.forEach(function (index) {
      var arc = index >= 0 ? arcs[index] : arcs[~index].slice().reverse();
      points = points.concat(points.length ? arc.slice(1) : arc);
    });
    return points;
  }
  function latlngs(arcs, feature) {
    return feature.polygons.map(function (rings) {
      return rings.map(function (r) { return ring(arcs, r); });
    });
  }
  function overlaps(a, b) {
    return a[0][0] <= b[1][0] && a[1][0] >= b[0][0] && a[0][1] <= b[1][1] && a[1][1] >= b[0][1];
  }
  function union(boxes) {
    var found = [[90, 180], [-90, -180]];
    boxes.forEach(function (b) {
      found[0][0] = Math.min(found[0][0], b[0][0]); found[0][1] = Math.min(found[0][1], b[0][1]);
      found[1][0] = Math.max(found[1][0], b[1][0]); found[1][1] = Math.max(found[1][1], b[1][1]);
    });
    return found;
  }
  function padded(box, share) {
    var dy = (box[1][0] - box[0][0]) * share, dx = (box[1][1] - box[0][1]) * share;
    return [[box[0][0] - dy, box[0][1] - dx], [box[1][0] + dy, box[1][1] + dx]];
  }

  /** The arcs lying between features whose key differs (or at the edge of those keyed):
   * a council's outline, or the borders between councils. */
  function borders(arcs, features, keyOf) {
    var sides = {};
    features.forEach(function (feature, i) {
      var key = keyOf(i);
      if (key === null || key === undefined) { return; }
      feature.polygons.forEach(function (rings) {
        rings.forEach(function (r) {
          r.forEach(function (index) {
            var arc = index >= 0 ? index : ~index;
            (sides[arc] = sides[arc] || []).push(key);
          });
        });
      });
    });
    var lines = [];
    Object.keys(sides).forEach(function (arc) {
      var keys = sides[arc];
      if (keys.length === 1 || keys[0] !== keys[1]) { lines.push(arcs[arc]); }
    });
    return lines;
  }

  function legend(map, items, title) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "atlas-legend");
      div.innerHTML = "<strong>" + esc(title) + "</strong>" + items.map(function (item) {
        return "<div><span class='swatch' style='background:" + item[0] + "'></span>" +
          esc(item[1]) + "</div>";
      }).join("");
      return div;
    };
    control.addTo(map);
    return control;
  }

  function footprintLayer(map, root, vintage, box, layers, done) {
    atlas.load(root, "footprints-" + vintage, function () {
      var topology = decode("footprints-" + vintage);
      var shown = topology.features.filter(function (f) { return overlaps(f.bounds, box); });
      var lines = borders(topology.arcs, shown, function (i) { return shown[i].properties.c; });
      layers.footprints = L.polyline(lines, { color: "#AA3377", weight: 2.5, opacity: 0.9,
                                              interactive: false }).addTo(map);
      shown.forEach(function (feature) {
        L.polygon(latlngs(topology.arcs, feature), { stroke: false, fillOpacity: 0 })
          .bindTooltip(esc(feature.properties.n), { sticky: true })
          .addTo(layers.footprintShapes);
      });
      if (done) { done(); }
    });
  }

  /** A council's page: its wards by verdict in the vintage chosen, its neighbours' wards
   * lighter, its outline, the vintage's footprints. */
  atlas.councilMap = function (element, page, root) {
    var map = L.map(element, { preferCanvas: true, zoomSnap: 0.25, attributionControl: true });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(page.attribution);
    var layers = { group: L.layerGroup().addTo(map), footprintShapes: L.layerGroup() };
    var select = document.getElementById("vintage");
    legend(map, ["w", "s", "o"].map(function (v) { return [COLOURS[v], LABELS[v]]; }),
           "Wards of " + page.name);
    function show(name) {
      var vintage = page.vintages.filter(function (v) { return v.name === name; })[0];
      var mine = page.generations[vintage.generation];
      var note = document.getElementById("map-note");
      atlas.load(root, "wards-" + vintage.generation, function () {
        layers.group.clearLayers();
        layers.footprintShapes.clearLayers();
        if (layers.footprints) { map.removeLayer(layers.footprints); }
        var wards = decode("wards-" + vintage.generation);
        var verdicts = mine.verdicts[name] || "";
        var own = {};
        mine.wards.forEach(function (index, i) {
          if (verdicts[i] && verdicts[i] !== "-") { own[index] = i; }
        });
        var ownIndex = Object.keys(own).map(Number);
        if (!ownIndex.length) {
          note.textContent = page.name + " had no wards in " + vintage.title + ".";
          element.setAttribute("data-drawn", name);
          return;
        }
        var box = union(ownIndex.map(function (i) { return wards.features[i].bounds; }));
        var around = padded(box, 0.35);
        wards.features.forEach(function (feature, index) {
          if (!overlaps(feature.bounds, around) || own[index] !== undefined) { return; }
          L.polygon(latlngs(wards.arcs, feature), { color: "#888888", weight: 0.4,
            fillColor: "#DDDDDD", fillOpacity: 0.9, interactive: false }).addTo(layers.group);
        });
        ownIndex.forEach(function (index) {
          var i = own[index], verdict = verdicts[i];
          L.polygon(latlngs(wards.arcs, wards.features[index]), {
            color: "#FFFFFF", weight: 0.8, fillColor: COLOURS[verdict] || "#FFFFFF",
            fillOpacity: 0.85, className: "atlas-ward" })
            .bindTooltip("<strong>" + esc(mine.names[i]) + "</strong><br>" +
                         esc(LABELS[verdict] || verdict) + " · " + esc(vintage.title),
                         { sticky: true })
            .addTo(layers.group);
        });
        L.polyline(borders(wards.arcs, ownIndex.map(function (i) { return wards.features[i]; }),
                           function () { return "mine"; }),
                   { color: "#000000", weight: 2.5, interactive: false }).addTo(layers.group);
        map.fitBounds(padded(box, 0.05));
        note.textContent = vintage.title + (vintage.when ? " · " + vintage.when : "") +
          ": wards of " + (vintage.generation === "lsoa21" ? "2024" : "2013") +
          "; footprints outlined in purple (hover for their names).";
        footprintLayer(map, root, name, around, layers, function () {
          element.setAttribute("data-drawn", name);
        });
      });
    }
    layers.footprintShapes.addTo(map);
    select.addEventListener("change", function () { show(select.value); });
    show(select.value);
    return map;
  };

  /** The index's national map: every ward filled by whether its council is aligned with
   * its home footprints in the vintage chosen, council borders, footprints outlined. */
  atlas.nationalMap = function (element, index, root) {
    var map = L.map(element, { preferCanvas: true, zoomSnap: 0.25 });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(index.attribution);
    var layers = { group: L.layerGroup().addTo(map), footprintShapes: L.layerGroup().addTo(map) };
    var select = document.getElementById("national-vintage");
    legend(map, [["#77AADD", "aligned with its home footprints"],
                 ["#BB5566", "not aligned: residents outside them"]], "Councils");
    var fitted = false;
    function show(name) {
      var vintage = index.vintages[name];
      atlas.load(root, "wards-" + vintage.generation, function () {
        layers.group.clearLayers();
        layers.footprintShapes.clearLayers();
        if (layers.footprints) { map.removeLayer(layers.footprints); }
        var wards = decode("wards-" + vintage.generation);
        var councilOf = vintage.wards;
        wards.features.forEach(function (feature, i) {
          var c = councilOf[i];
          if (c < 0) { return; }
          var outside = vintage.outside[c];
          var polygon = L.polygon(latlngs(wards.arcs, feature), {
            stroke: false, fillColor: outside > 0 ? "#BB5566" : "#77AADD", fillOpacity: 0.85 });
          polygon.bindTooltip("<strong>" + esc(index.councils[c][1]) + "</strong><br>" +
            (outside > 0 ? number(outside) + " residents outside its home footprints"
                         : "aligned") + " · " + esc(vintage.title), { sticky: true });
          polygon.on("click", function () {
            window.location.href = "councils/" + index.councils[c][2] + ".html";
          });
          polygon.addTo(layers.group);
        });
        L.polyline(borders(wards.arcs, wards.features, function (i) {
          return councilOf[i] < 0 ? null : councilOf[i];
        }), { color: "#333333", weight: 0.7, interactive: false }).addTo(layers.group);
        if (!fitted) {
          map.fitBounds(union(wards.features.map(function (f) { return f.bounds; })));
          fitted = true;
        }
        footprintLayer(map, root, name, [[-90, -180], [90, 180]], layers, function () {
          element.setAttribute("data-drawn", name);
        });
      });
    }
    select.addEventListener("change", function () { show(select.value); });
    show(select.value);
    return map;
  };

  /** The index's search: rows whose words hold every word typed. */
  atlas.search = function (input, rows, count) {
    function run() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.getAttribute("data-search");
        var match = words.every(function (w) { return text.indexOf(w) >= 0; });
        row.hidden = !match;
        shown += match ? 1 : 0;
      });
      count.textContent = shown + " of " + rows.length + " councils";
    }
    input.addEventListener("input", run);
    run();
  };
})();

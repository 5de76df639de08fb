/* stpgeo ward maps: ward colouring, tooltips, popups, outlines and legend.
 * Plain Leaflet 1.9 (no jQuery, no Bootstrap); inlined into every map stpgeo writes.
 * The data comes as JSON from stpgeo.outputs.maps; see stpgeo/outputs/maps/features.py for its shape. */
(function () {
  "use strict";
  var stpgeo = (window.stpgeo = window.stpgeo || {});
  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(
      /[&<>"']/g, function (c) { return ESCAPES[c]; });
  }
  function percent(share) {
    return share === null || share === undefined ? "–" : (100 * share).toFixed(1) + "%";
  }
  function number(value) {
    return value === null || value === undefined ? "" : Number(value).toLocaleString("en-GB");
  }
  function fraction(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  /** A topology (stpgeo/outputs/maps/topology.py) back into its GeoJSON FeatureCollection. */
  function expand(topology) {
    var scale = topology.scale;
    var arcs = topology.arcs.map(function (flat) {
      var x = 0, y = 0, points = [];
      for (var i = 0; i < flat.length; i += 2) {
        x += flat[i];
        y += flat[i + 1];
        points.push([x / scale, y / scale]);
      }
      return points;
    });
    function ring(indices) {
      var points = [];
      indices.forEach(function (index) {
        var arc = index >= 0 ? arcs[index] : arcs[~index].slice().reverse();
        points = points.concat(points.length ? arc.slice(1) : arc);
      });
      return points;
    }
    return {
      type: "FeatureCollection",
      features: topology.features.map(function (feature) {
        var geometry = feature.geometry;
        if (feature.polygons) {
          var polygons = feature.polygons.map(function (rings) { return rings.map(ring); });
          geometry = feature.multi ? { type: "MultiPolygon", coordinates: polygons }
            : { type: "Polygon", coordinates: polygons[0] };
        }
        return { type: "Feature", properties: feature.properties, geometry: geometry };
      }),
    };
  }

  /** The GeoJSON held by a <script type="application/json"> element (a topology expanded). */
  stpgeo.data = function (id) {
    var data = JSON.parse(document.getElementById(id).textContent);
    return data.type === "Topology" ? expand(data) : data;
  };

  /** Panes (stacking order), style and attribution; runs before any layer is made. */
  stpgeo.setup = function (map, options) {
    stpgeo.map = map;
    stpgeo.style = options.style;
    Object.keys(options.style.panes).forEach(function (name) {
      map.createPane(name).style.zIndex = options.style.panes[name];
    });
    if (map.attributionControl) {
      map.attributionControl.addAttribution(options.attribution);
    }
  };

  function verdictLabel(verdict) {
    var known = stpgeo.style.verdicts[verdict];
    return known ? known.label : verdict || "not analysed";
  }

  function shareClass(share) {
    var bounds = stpgeo.style.shareBounds;
    for (var i = 0; i < bounds.length; i++) {
      if (share <= bounds[i]) return i;
    }
    return bounds.length - 1;
  }

  /** A ward's pieces as objects: each value under its field name (meta.pieceFields). */
  function pieces(view, meta) {
    return view.pieces.map(function (values) {
      var piece = {};
      meta.pieceFields.forEach(function (field, i) { piece[field] = values[i]; });
      return piece;
    });
  }

  function pieceNote(piece, homes) {
    var notes = [];
    if (homes.indexOf(piece.footprint_code) >= 0) notes.push("home");
    if (piece.kind === "sliver") notes.push("sliver");
    if (piece.confidence === "uncertain") notes.push("uncertain");
    return notes.length ? " (" + notes.join(", ") + ")" : "";
  }

  /** One cell of a row of ward_footprints.csv, by its column name. */
  function cell(column, piece, props, analysis) {
    if (column === "ward_code") return props.code;
    if (column === "ward_name") return props.name;
    if (column === "footprint_name") return analysis.footprints[piece.footprint_code] || "";
    if (column === "area_m2" || column === "population") return number(piece[column]);
    if (/_share$/.test(column)) return fraction(piece[column]);
    return piece[column];
  }

  function tooltip(props, meta) {
    var html = '<div class="stpgeo-tip"><b>' + esc(props.name) + "</b> " + esc(props.code) +
      "<br>" + esc(meta.councils[props.council] || props.council || "council unknown");
    meta.analyses.forEach(function (analysis, i) {
      var view = props.analyses[i];
      var homes = analysis.homes[props.council] || [];
      html += '<div class="stpgeo-tip-analysis"><b>' + esc(analysis.label) + ":</b> " +
        esc(verdictLabel(view.verdict)) + "<table>";
      pieces(view, meta).forEach(function (piece) {
        var code = piece.footprint_code;
        html += "<tr><td>" + esc(analysis.footprints[code] || code) +
          esc(pieceNote(piece, homes)) + "</td><td>" + percent(piece.area_share) +
          " of area</td><td>" + (piece.population_share === null ? "" :
          percent(piece.population_share) + " of residents") + "</td></tr>";
      });
      html += "</table></div>";
    });
    return html + "</div>";
  }

  function popup(props, meta) {
    var html = '<div class="stpgeo-popup-body"><h4>' + esc(props.name) + " (" +
      esc(props.code) + ")</h4>";
    meta.analyses.forEach(function (analysis, i) {
      html += "<p>Rows of <code>ward_footprints.csv</code> of " + esc(analysis.name) +
        " (" + esc(analysis.label) + ")</p><table><tr>";
      meta.columns.forEach(function (column) { html += "<th>" + esc(column) + "</th>"; });
      html += "</tr>";
      pieces(props.analyses[i], meta).forEach(function (piece) {
        html += "<tr>" + meta.columns.map(function (column) {
          return "<td>" + esc(cell(column, piece, props, analysis)) + "</td>";
        }).join("") + "</tr>";
      });
      html += "</table>";
    });
    return html + "</div>";
  }

  /** The one set of ward polygons; the views below only restyle it. */
  stpgeo.wards = function (data, meta) {
    var style = stpgeo.style;
    var layer = L.geoJSON(data, {
      pane: "stpgeo-wards",
      className: "stpgeo-ward",
      onEachFeature: function (feature, ward) {
        ward.bindTooltip(function () { return tooltip(feature.properties, meta); },
          { sticky: true, className: "stpgeo-tooltip" });
        ward.bindPopup(function () { return popup(feature.properties, meta); },
          { maxWidth: 900, className: "stpgeo-popup" });
        ward.on("mouseover", function () { ward.setStyle(style.wardHover); ward.bringToFront(); });
        ward.on("mouseout", function () { layer.resetStyle(ward); });
        ward.on("add", function () {
          var element = ward.getElement();
          if (element) element.setAttribute("data-ward", feature.properties.code);
        });
      },
    });
    return layer;
  };

  function fill(kind, analysis) {
    var style = stpgeo.style;
    if (kind === "decile") {
      return function (feature) {
        var decile = (feature.properties.deciles || [])[analysis];
        return L.extend({}, style.block, { fillColor: style.deciles[decile - 1] || "#FFFFFF" });
      };
    }
    return function (feature) {
      var view = feature.properties.analyses[analysis] || {};
      var colour = "#FFFFFF";
      var share = view.share_outside_home;
      if (kind === "verdict" && style.verdicts[view.verdict]) {
        colour = style.verdicts[view.verdict].colour;
      }
      if (kind === "share" && share !== null && share !== undefined) {
        colour = style.shareColours[shareClass(share)];
      }
      return L.extend({}, style.ward, { fillColor: colour });
    };
  }

  var View = null;

  /** One way of colouring the wards (a base layer of the layer control). */
  stpgeo.wardView = function (wards, options) {
    if (View === null) {
      View = L.Layer.extend({
        initialize: function (shared, settings) {
          this._wards = shared;
          this._settings = settings;
        },
        onAdd: function (map) {
          var style = fill(this._settings.kind, this._settings.analysis);
          this._wards.options.style = style;
          this._wards.setStyle(style);
          map.addLayer(this._wards);
          stpgeo.showLegend(this._settings.kind, this._settings.title);
        },
        onRemove: function (map) {
          map.removeLayer(this._wards);
        },
      });
    }
    return new View(wards, options);
  };

  /** The blocks (neighbourhoods) with their deciles; the decile views only restyle them. */
  stpgeo.blocks = function (data, options) {
    return L.geoJSON(data, {
      pane: "stpgeo-wards",
      className: "stpgeo-block",
      onEachFeature: function (feature, block) {
        var props = feature.properties;
        block.bindTooltip(function () {
          var html = '<div class="stpgeo-tip"><b>' + esc(props.code) + "</b>" +
            (props.ward ? " in " + esc(props.ward) : "") + "<table>";
          options.indices.forEach(function (title, i) {
            var decile = props.deciles[i];
            html += "<tr><td>" + esc(title) + "</td><td>decile " +
              (decile === null || decile === undefined ? "unknown" : esc(decile)) +
              (decile === 1 ? " (England's most deprived 10%)" : "") + "</td></tr>";
          });
          return html + "</table></div>";
        }, { sticky: true, className: "stpgeo-tooltip" });
        block.on("add", function () {
          var element = block.getElement();
          if (element) element.setAttribute("data-block", props.code);
        });
      },
    });
  };

  /** The GP practices as points coloured by CCG; those whose CCG is not home ringed. */
  stpgeo.practices = function (data, options) {
    var style = stpgeo.style;
    return L.geoJSON(data, {
      pane: "stpgeo-practices",
      pointToLayer: function (feature, latlng) {
        var props = feature.properties;
        var look = L.extend({}, style.practice, props.home === false ? style.practiceAway : {},
          { fillColor: style.ccgColours[props.colour], pane: "stpgeo-practices",
            className: "stpgeo-practice" });
        return L.circleMarker(latlng, look);
      },
      onEachFeature: function (feature, practice) {
        var props = feature.properties;
        practice.bindTooltip(function () {
          var where = props.ward ? props.ward + ", " + props.council : props.council;
          return '<div class="stpgeo-tip"><b>' + esc(props.name) + "</b> " + esc(props.code) +
            "<br>member of " + esc(props.ccg) +
            (props.footprint && props.footprint !== props.ccg ? " (" + esc(props.footprint) + ")" : "") +
            "<br>in " + esc(where) +
            (props.home === false ? "<br><b>not the council's home " + esc(options.what) + "</b>" : "") +
            "</div>";
        }, { sticky: true, className: "stpgeo-tooltip" });
        practice.on("add", function () {
          var element = practice.getElement();
          if (element) {
            element.setAttribute("data-practice", props.code);
            element.setAttribute("data-home", String(props.home));
          }
        });
      },
    });
  };

  /** Whether two boxes (getBoundingClientRect) overlap. */
  function overlapping(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  /** Names written on the map: permanent labels, one at each point given. At each zoom a
   * name that would overlap one written before it is hidden (data-crowded), in the order
   * given; zooming in shows it, and every ward's name is in its hover tooltip. */
  stpgeo.labels = function (labels) {
    var group = L.layerGroup();
    labels.forEach(function (label) {
      group.addLayer(L.tooltip({ permanent: true, direction: "center", interactive: false,
        className: "stpgeo-label", opacity: 1 })
        .setLatLng([label.lat, label.lon]).setContent("<span>" + esc(label.name) + "</span>"));
    });
    function declutter() {
      var shown = [];
      group.eachLayer(function (tip) {
        var element = tip.getElement();
        if (!element) return;
        element.removeAttribute("data-crowded");
        // the text's own box (the label's is a fixed 90 px wide, wider than short names)
        var box = (element.firstElementChild || element).getBoundingClientRect();
        if (shown.some(function (other) { return overlapping(box, other); })) {
          element.setAttribute("data-crowded", "true");
        } else {
          shown.push(box);
        }
      });
    }
    function later() { window.requestAnimationFrame(declutter); }
    group.on("add", function () {
      group._stpgeoMap = group._map;
      group._stpgeoMap.on("zoomend", later);
      later();
    });
    group.on("remove", function () {
      if (group._stpgeoMap) group._stpgeoMap.off("zoomend", later);
    });
    return group;
  };

  /** Outlines (footprints, councils) with their names on hover, or hatched pieces. */
  stpgeo.outlines = function (data, options) {
    return L.geoJSON(data, {
      pane: options.pane,
      className: options.className,
      interactive: Boolean(options.tooltip),
      style: function (feature) {
        return feature.properties.focus ? options.focusStyle : options.style;
      },
      onEachFeature: function (feature, layer) {
        if (options.tooltip) {
          layer.bindTooltip(esc(options.tooltip + ": " + feature.properties.name),
            { sticky: true, className: "stpgeo-tooltip" });
        }
      },
    });
  };

  /** The legend: a Leaflet control holding the legend element of the page. */
  stpgeo.legend = function (map, id) {
    var element = document.getElementById(id);
    var Legend = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        L.DomEvent.disableClickPropagation(element);
        L.DomEvent.disableScrollPropagation(element);
        element.hidden = false;
        return element;
      },
    });
    stpgeo.legendElement = element;
    new Legend().addTo(map);
    if (stpgeo.currentView) stpgeo.showLegend(stpgeo.currentView.kind, stpgeo.currentView.title);
  };

  /** Show the part of the legend for the current way of colouring the wards. */
  stpgeo.showLegend = function (kind, title) {
    stpgeo.currentView = { kind: kind, title: title };
    var element = stpgeo.legendElement;
    if (!element) return;
    element.querySelectorAll("[data-view]").forEach(function (section) {
      section.hidden = section.getAttribute("data-view") !== kind;
    });
    element.querySelector(".stpgeo-legend-view").textContent = title;
  };
})();

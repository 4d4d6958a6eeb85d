/* storymap: the story controls of a storymap page (project code, MIT).
 *
 * window.storymapInit(map, dataNode) reads the story from a JSON script element and
 * draws the offline base map, the route, the stops and the mentioned places, the panel
 * and the itinerary. Article text is untrusted: it only ever reaches the page through
 * textContent and DOM nodes, never as HTML.
 *
 * Public API for embedders: window.storymap.goTo(n) (n = 1-based stop, 0 = overview),
 * .play({dwell: ms}), .pause(), .next(), .prev(), .restart(), .step(), .playTime(dwell) (how long
 * play takes, ms, from the overview to the closing view); a "storymap:step" event on
 * window with detail {step, id, name, date, status} when a step begins, "storymap:arrive"
 * {step} when its view is reached, and "storymap:end" when play has shown the last stop
 * and closed on the whole route.
 *
 * #present (or #present-step-N) is the presentation mode a video records: no controls at all,
 * a title card on the overview, each stop's name, date and a short excerpt in a column of the
 * frame (under the map in a square or tall frame), and the whole route at the end.
 */
(function () {
  "use strict";

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var STATUS = { reported: "Reported", expected: "Planned", inferred: "Inferred" };
  var STOP_ZOOM = 6;
  var TIMING = { fly: 900, draw: 1600, arrive: 800, dwell: 1800, jumpDwell: 2500 };
  var SVGNS = "http://www.w3.org/2000/svg";
  var WORD = /[\p{L}\p{N}]/u;  /* highlight whole words only: "Russia", not "Russia" in "Russian" */

  /* ---------------------------------------------------------------- DOM helpers */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function fmtDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!m) { return iso ? String(iso) : null; }
    return String(parseInt(m[3], 10)) + " " + MONTHS[parseInt(m[2], 10) - 1] + " " + m[1];
  }

  /* Append text to parent, wrapping every occurrence of a mark in <mark> (no HTML parsing). */
  function highlight(parent, text, marks) {
    var lower = text.toLowerCase();
    var ranges = [];
    (marks || []).forEach(function (word) {
      var w = String(word).toLowerCase();
      if (!w) { return; }
      var at = lower.indexOf(w);
      while (at >= 0) {
        if (!WORD.test(text.charAt(at - 1)) && !WORD.test(text.charAt(at + w.length))) {
          ranges.push([at, at + w.length]);
        }
        at = lower.indexOf(w, at + w.length);
      }
    });
    ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var pos = 0;
    ranges.forEach(function (r) {
      if (r[0] < pos) { return; }
      if (r[0] > pos) { parent.appendChild(document.createTextNode(text.slice(pos, r[0]))); }
      parent.appendChild(el("mark", "sm-mark", text.slice(r[0], r[1])));
      pos = r[1];
    });
    if (pos < text.length) { parent.appendChild(document.createTextNode(text.slice(pos))); }
  }

  /* The author's Markdown, as the page receives it (a tree, see render.markdown_blocks):
     built with DOM calls, so no text is ever parsed as HTML. */
  var INLINE = { em: "em", strong: "strong", s: "s", code: "code", a: "a", br: "br" };
  function inlineNodes(parent, nodes) {
    (nodes || []).forEach(function (node) {
      if (typeof node === "string") { parent.appendChild(document.createTextNode(node)); return; }
      var tag = INLINE[node.tag];
      if (!tag || (tag === "a" && !node.href)) { inlineNodes(parent, node.children); return; }
      var child = document.createElement(tag);
      if (tag === "a") {
        child.href = node.href;
        child.target = "_blank";
        child.rel = "noopener noreferrer";
      }
      inlineNodes(child, node.children);
      parent.appendChild(child);
    });
  }

  function authorBlocks(blocks, className) {
    var box = el("div", "sm-author " + (className || ""));
    (blocks || []).forEach(function (block) {
      if (block.tag === "ul" || block.tag === "ol") {
        var listNode = el(block.tag);
        block.items.forEach(function (item) { var li = el("li"); inlineNodes(li, item); listNode.appendChild(li); });
        box.appendChild(listNode);
      } else {
        var p = el(block.tag === "h" ? "h3" : "p", block.tag === "h" ? "sm-author-head" : null);
        inlineNodes(p, block.items[0]);
        box.appendChild(p);
      }
    });
    return box;
  }

  function figure(media) {
    var fig = el("figure", "sm-figure");
    var img = document.createElement("img");
    img.src = media.src;
    img.alt = media.alt || media.caption || "";
    img.loading = "lazy";
    img.decoding = "async";
    fig.appendChild(img);
    if (media.caption || media.credit) {
      var cap = el("figcaption");
      if (media.caption) { cap.appendChild(el("span", "sm-photo-caption", media.caption)); }
      if (media.credit) {
        if (media.caption) { cap.appendChild(document.createTextNode(" ")); }
        cap.appendChild(el("span", "sm-photo-credit", media.credit));
      }
      fig.appendChild(cap);
    }
    return fig;
  }

  function svgSwatch(kind) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", "34");
    svg.setAttribute("height", "14");
    svg.setAttribute("aria-hidden", "true");
    var shape;
    if (kind === "stop" || kind === "mention") {
      shape = document.createElementNS(SVGNS, "circle");
      shape.setAttribute("cx", "17");
      shape.setAttribute("cy", "7");
      shape.setAttribute("r", kind === "stop" ? "6" : "5");
    } else {
      shape = document.createElementNS(SVGNS, "line");
      shape.setAttribute("x1", "2");
      shape.setAttribute("y1", "7");
      shape.setAttribute("x2", "32");
      shape.setAttribute("y2", "7");
    }
    shape.setAttribute("class", "sm-swatch-" + kind);
    svg.appendChild(shape);
    return svg;
  }

  /* Plain text of the author's Markdown tree (render.markdown_blocks). */
  function blocksText(blocks) {
    function walk(nodes) {
      return (nodes || []).map(function (n) { return typeof n === "string" ? n : walk(n.children); }).join("");
    }
    return (blocks || []).map(function (b) { return b.items.map(walk).join(" "); }).join(" ");
  }

  /* At most max characters, cut at a word and ended with an ellipsis. */
  function shorten(text, max) {
    text = String(text || "").replace(/\s+/g, " ").trim();
    if (text.length <= max) { return text; }
    var cut = text.slice(0, max);
    var space = cut.lastIndexOf(" ");
    return (space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.\u2014-]+$/, "") + "\u2026";
  }

  function statusText(place) {
    var date = fmtDate(place.date);
    var status = STATUS[place.dateStatus] || null;
    if (date && status) { return date + " \u00b7 " + status; }
    if (date) { return date; }
    if (status) { return "Date not reported \u00b7 " + status; }
    return "Date not reported";
  }

  /* ---------------------------------------------------------------- the story */
  function init(map, dataNode) {
    var data = JSON.parse(dataNode.textContent);
    var stops = data.stops || [];
    var mentions = data.mentions || [];
    var legs = data.legs || [];
    var articles = data.articles || {};
    var motionQuery = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
    var container = map.getContainer();
    var state = { step: -1, playing: false, token: 0, timer: null };

    function reduced() { return !!(motionQuery && motionQuery.matches); }

    /* A map with no size yet (its frame hidden or being laid out) cannot fit bounds or fly:
       Leaflet would compute NaN coordinates. The view asked for then is set once it has one. */
    var pendingView = null;
    function sized() { var s = map.getSize(); return s.x > 0 && s.y > 0; }
    map.on("resize", function () {
      if (pendingView !== null && sized()) { var step = pendingView; pendingView = null; view(step, false); return; }
      /* a frame that changes size (laid out again, grown to its content, turned) keeps showing
         the current step, not whatever its old centre and zoom now show */
      if (sized() && state.step >= 0 && !state.playing && !flying) { view(state.step, false); }
    });
    /* Leaflet measures its container again only when the window is resized. A map made before
       its page was laid out (in the app, a frame not yet shown) measures 0 x 0, and when the
       page is laid out at the window's size it already had, no resize comes: the map stayed on
       its first view (empty sea) and held every step asked for until a reload. Watching the
       container itself measures it again whenever its box changes. */
    if (typeof window.ResizeObserver === "function") {
      new window.ResizeObserver(function () { map.invalidateSize({ debounceMoveend: true }); }).observe(container);
    }

    document.documentElement.classList.add("sm-ready");
    /* #map (or #map-step-N): the map alone, for small slots, with a caption for the stop */
    var mapOnly = /^#map(?:-|$)/.test(window.location.hash || "");
    /* #present (or #present-step-N): the presentation mode a video records */
    var present = /^#present(?:-|$)/.test(window.location.hash || "");
    if (present) { document.documentElement.classList.add("sm-present"); map.invalidateSize(); }
    var caption = null;
    if (mapOnly) {
      document.documentElement.classList.add("sm-map-only");
      caption = el("p", "sm-map-caption");
      caption.setAttribute("aria-live", "polite");
      container.appendChild(caption);
      map.invalidateSize();
    }
    container.setAttribute("aria-label", "Map: " + data.routeName + " (use the story panel or arrow keys to step through the stops)");
    if (map.keyboard) { map.keyboard.disable(); }
    map.attributionControl.addAttribution(data.attribution);

    /* panes: offline base map under the tiles, then mentions, route, stops */
    map.createPane("sm-base").style.zIndex = "150";
    map.createPane("sm-mentions").style.zIndex = "410";
    map.createPane("sm-route").style.zIndex = "420";
    map.createPane("sm-stops").style.zIndex = "630";
    map.createPane("sm-labels").style.zIndex = "625";

    /* One SVG renderer per pane. During a flight Leaflet only scales what each drew before
       take-off, so a long zoom shows a shrunken or blurred base map and route; they are drawn
       again on every frame of a flight instead (flyTo fires "zoom" once a frame). */
    var renderers = {};
    ["sm-base", "sm-mentions", "sm-route", "sm-stops"].forEach(function (pane) {
      renderers[pane] = L.svg({ pane: pane, padding: 0.3 });
    });
    function rendererOf(pane) { return renderers[pane]; }
    var flying = false;
    map.on("zoom", function () {
      if (!flying) { return; }
      Object.keys(renderers).forEach(function (pane) {
        var r = renderers[pane];
        if (r._map && typeof r._reset === "function") { r._reset(); }
      });
    });
    map.on("moveend", function () { flying = false; });

    var baseLayer = L.geoJSON(data.basemap, {
      pane: "sm-base",
      renderer: rendererOf("sm-base"),
      interactive: false,
      style: function (f) {
        var kind = f.properties.kind;
        if (kind === "land") { return { className: "sm-land", weight: 1, fillOpacity: 1 }; }
        return { className: "sm-" + kind, weight: kind === "border" ? 0.8 : 0.6, fill: false };
      }
    }).addTo(map);

    /* online tiles, when the page has them: if they cannot load, say so once, quietly, and
       name places on the offline base map instead */
    var tilesShown = !!data.tiles;
    map.eachLayer(function (layer) {
      if (layer instanceof L.TileLayer) {
        layer.once("tileerror", function () {
          var note = el("p", "sm-tile-note", "Online map tiles could not load; showing the offline base map.");
          note.setAttribute("role", "status");
          container.appendChild(note);
          tilesShown = false;
          placeNames();
        });
      }
    });

    /* ------------------------------------------------------------ place names on the base map
       Countries, seas, cities and the stops' neighbouring towns, by zoom level. After every
       move they are placed again, most important first; a name that would touch another,
       a stop or its label, a control, or the map's edge is left out. */
    var namePane = map.createPane("sm-names");
    namePane.style.zIndex = "400";
    namePane.style.pointerEvents = "none";
    var names = (data.labels || []).slice().sort(function (a, b) {
      return a.rank - b.rank || a.minZoom - b.minZoom || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
    var NAME_FONT = {
      country: { size: 11, font: "600 11px " , upper: true, spacing: 1.3 },
      water: { size: 12, font: "italic 12px ", upper: false, spacing: 0.4 },
      city: { size: 12, font: "12px ", upper: false, spacing: 0 },
      town: { size: 11, font: "11px ", upper: false, spacing: 0 }
    };
    var measure = document.createElement("canvas").getContext("2d");
    var family = window.getComputedStyle(container).fontFamily || "sans-serif";
    var EDGE = 4, GAP = 3;

    function obstacles() {
      var frame = container.getBoundingClientRect();
      var rects = [];
      var nodes = container.querySelectorAll(".sm-stop-icon, .leaflet-tooltip.sm-label:not(.sm-label-hidden), .leaflet-control, .sm-tile-note");
      Array.prototype.forEach.call(nodes, function (node) {
        var r = node.getBoundingClientRect();
        if (r.width && r.height) {
          rects.push({ x: r.left - frame.left, y: r.top - frame.top, w: r.width, h: r.height });
        }
      });
      return rects;
    }

    function overlaps(a, b) {
      return a.x < b.x + b.w + GAP && b.x < a.x + a.w + GAP && a.y < b.y + b.h + GAP && b.y < a.y + a.h + GAP;
    }

    function placeNames() {
      placeLabels();
      namePane.textContent = "";
      namePane.classList.remove("sm-moving");
      if (tilesShown || !sized() || !map.hasLayer(baseLayer)) { return; }
      var zoom = map.getZoom(), size = map.getSize();
      var taken = obstacles();
      names.forEach(function (name) {
        if (name.minZoom > zoom + 0.001 || zoom > name.maxZoom) { return; }
        var style = NAME_FONT[name.kind] || NAME_FONT.town;
        var text = style.upper ? name.name.toUpperCase() : name.name;
        measure.font = style.font + family;
        var w = measure.measureText(text).width + style.spacing * text.length, h = style.size + 2;
        var pt = map.latLngToContainerPoint([name.lat, name.lon]);
        var dot = name.kind === "city" || name.kind === "town";
        var box = dot ? { x: pt.x - 3, y: pt.y - h / 2, w: w + 9, h: h } : { x: pt.x - w / 2, y: pt.y - h / 2, w: w, h: h };
        if (box.x < EDGE || box.y < EDGE || box.x + box.w > size.x - EDGE || box.y + box.h > size.y - EDGE) { return; }
        if (taken.some(function (r) { return overlaps(box, r); })) { return; }
        taken.push(box);
        var node = el("div", "sm-name sm-name-" + name.kind);
        if (dot) { node.appendChild(el("span", "sm-name-dot")); }
        node.appendChild(el("span", "sm-name-text", name.name));
        L.DomUtil.setPosition(node, map.containerPointToLayerPoint([box.x, box.y]));
        namePane.appendChild(node);
      });
    }
    map.on("movestart zoomstart", function () { namePane.classList.add("sm-moving"); });
    map.on("moveend zoomend resize overlayadd overlayremove", function () { placeNames(); });

    /* the route: a quiet preview of the whole way, then the drawn legs on top */
    var ghosts = legs.map(function (leg) {
      return L.polyline(leg.path, { pane: "sm-route", renderer: rendererOf("sm-route"), interactive: false, weight: 3,
        className: "sm-ghost" + (leg.planned ? " sm-planned" : ""), dashArray: leg.planned ? "2 7" : null }).addTo(map);
    });
    var drawn = legs.map(function (leg) {
      return L.polyline([], { pane: "sm-route", renderer: rendererOf("sm-route"), interactive: false, weight: 4,
        lineCap: "round",
        className: "sm-leg" + (leg.planned ? " sm-planned" : ""), dashArray: leg.planned ? "8 8" : null }).addTo(map);
    });
    var traveller = L.circleMarker(stops.length ? [stops[0].lat, stops[0].lon] : [0, 0], {
      pane: "sm-stops", renderer: rendererOf("sm-stops"), radius: 6, className: "sm-traveller", interactive: false, opacity: 0, fillOpacity: 0
    }).addTo(map);

    /* mentioned places: quieter, in a layer that can be turned off */
    var mentionLayer = L.layerGroup().addTo(map);
    var mentionMarkers = {};
    mentions.forEach(function (place) {
      var radius = Math.min(9, 4 + Math.sqrt(place.count || 1));
      var marker = L.circleMarker([place.lat, place.lon], { pane: "sm-mentions", renderer: rendererOf("sm-mentions"),
        radius: radius,
        className: "sm-mention", weight: 1 });
      marker.bindTooltip(el("span", null, place.name), { className: "sm-tooltip" });
      marker.on("click", function () { showPlace(place, false); });
      mentionMarkers[place.id] = marker;
      marker.addTo(mentionLayer);
    });

    /* stops: numbered markers that can be focused and clicked */
    /* One marker per place: a place the route passes twice (a round trip) shows both
       numbers ("1·4"); a click goes to its next visit. markerOf[i] is stop i's marker. */
    var markerById = {};
    var markerOf = stops.map(function (place, i) {
      var visits = place.visits && place.visits.length ? place.visits : [i + 1];
      if (markerById[place.id]) { return markerById[place.id]; }
      var badge = el("span", "sm-badge" + (visits.length > 1 ? " sm-badge-wide" : ""), visits.join("\u00b7"));
      var width = Math.max(28, 12 + 8 * badge.textContent.length);
      var icon = L.divIcon({ className: "sm-stop-icon" + (place.dateStatus === "expected" ? " sm-planned" : ""),
        html: badge, iconSize: [width, 28], iconAnchor: [width / 2, 14], tooltipAnchor: [0, 0] });
      var marker = L.marker([place.lat, place.lon], { icon: icon, pane: "sm-stops", keyboard: true,
        title: (visits.length > 1 ? "Stops " : "Stop ") + visits.join(" and ") + ": " + place.name,
        alt: place.name, riseOnHover: true });
      /* placed by placeLabels: "center" with an offset puts the label's middle anywhere */
      marker.bindTooltip(el("span", null, place.name), { className: "sm-label", direction: "center",
        offset: [width / 2 + 2, 0], permanent: true, pane: "sm-labels", opacity: 1 });
      marker.on("click", function () {
        var next = visits.filter(function (n) { return n > state.step; })[0] || visits[0];
        goTo(next);
      });
      markerById[place.id] = marker;
      return marker.addTo(map);
    });
    var markers = markerOf.filter(function (m, i) { return markerOf.indexOf(m) === i; });

    /* ------------------------------------------------------------ stop labels
       After every move each stop's label takes the first place around its marker (beside it
       on the side away from the map's edge, then the other side, above, below, the corners)
       that covers no other label and no stop, nor a control or the map's edge if it can; the
       current stop goes first, then the route's order. A label with no such place is hidden
       (the current stop's never: it keeps its first place). The same view gives the same labels. */
    function labelBox(marker, tip, current) {
      var node = tip.getElement();
      var pt = map.latLngToContainerPoint(marker.getLatLng());
      /* the current stop's badge is drawn larger (.sm-active) */
      var half = marker.options.icon.options.iconSize[0] / 2 + (current ? 5 : 0);
      var w = node.offsetWidth, h = node.offsetHeight, ih = 14, pad = 2;
      var right = [half + pad, -h / 2], left = [-half - pad - w, -h / 2];
      var sides = pt.x < map.getSize().x / 2 ? [right, left] : [left, right];
      var around = sides.concat([[-w / 2, -ih - pad - h], [-w / 2, ih + pad],
        [half - 4, -ih - h + 4], [half - 4, ih - 4], [-half + 4 - w, -ih - h + 4], [-half + 4 - w, ih - 4]]);
      return around.map(function (d) {
        return { x: pt.x + d[0], y: pt.y + d[1], w: w, h: h, dx: Math.round(d[0] + w / 2), dy: Math.round(d[1] + h / 2) };
      });
    }

    function apart(a, b) { return a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y; }

    function placeLabels() {
      if (!markers || !sized()) { return; }
      var size = map.getSize(), frame = container.getBoundingClientRect();
      var icons = markers.map(function (m) {
        var pt = map.latLngToContainerPoint(m.getLatLng()), s = m.options.icon.options.iconSize;
        return { x: pt.x - s[0] / 2, y: pt.y - s[1] / 2, w: s[0], h: s[1], marker: m };
      });
      var controls = Array.prototype.map.call(container.querySelectorAll(".leaflet-control"), function (node) {
        var r = node.getBoundingClientRect();
        return { x: r.left - frame.left, y: r.top - frame.top, w: r.width, h: r.height };
      });
      var current = state.step > 0 ? markerOf[state.step - 1] : null;
      var order = current ? [current].concat(markers.filter(function (m) { return m !== current; })) : markers;
      var placed = [];
      order.forEach(function (marker) {
        var tip = marker.getTooltip();
        if (!tip || !tip.getElement()) { return; }
        var boxes = labelBox(marker, tip, marker === current);
        var free = boxes.filter(function (box) {
          return placed.every(function (p) { return apart(box, p); }) &&
            icons.every(function (i) { return i.marker === marker || apart(box, i); });
        });
        var clear = free.filter(function (box) {
          return box.x >= 0 && box.y >= 0 && box.x + box.w <= size.x && box.y + box.h <= size.y &&
            controls.every(function (c) { return apart(box, c); });
        });
        var box = clear[0] || free[0] || (marker === current ? boxes[0] : null);
        tip.getElement().classList.toggle("sm-label-hidden", !box);
        if (!box) { return; }
        placed.push(box);
        tip.options.offset = [box.dx, box.dy];
        tip.update();
      });
    }

    var overlays = {};
    overlays["Places mentioned"] = mentionLayer;
    overlays["Offline base map (Natural Earth)"] = baseLayer;
    L.control.layers(null, overlays, { collapsed: true, position: "topright" }).addTo(map);
    legend().addTo(map);

    /* ---------------------------------------------------------------- panel */
    var panel = document.getElementById("storymap-panel");
    var head = el("header", "sm-head");
    head.appendChild(el("h1", "sm-title", data.title));
    var sub = [];
    if (stops.length) { sub.push(stops.length + (stops.length === 1 ? " stop" : " stops")); }
    var nArticles = Object.keys(articles).length;
    if (nArticles) { sub.push("from " + nArticles + (nArticles === 1 ? " article" : " articles")); }
    head.appendChild(el("p", "sm-subtitle", data.routeName + (sub.length ? " \u00b7 " + sub.join(" ") : "")));
    panel.appendChild(head);

    var bar = el("div", "sm-controls");
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Story controls");
    function button(cls, label, symbol, action) {
      var b = el("button", "sm-btn " + cls);
      b.type = "button";
      b.setAttribute("aria-label", label);
      b.title = label;
      b.appendChild(el("span", "sm-icon", symbol)).setAttribute("aria-hidden", "true");
      b.addEventListener("click", action);
      bar.appendChild(b);
      return b;
    }
    var restartBtn = button("sm-restart", "Restart", "\u21ba", function () { restart(); });
    var prevBtn = button("sm-prev", "Previous stop", "\u25c0", function () { pause(); prev(); });
    var playBtn = button("sm-play", "Play", "\u25b6", function () { toggle(); });
    var nextBtn = button("sm-next", "Next stop", "\u25b6\u2223", function () { pause(); next(); });
    var counter = el("span", "sm-counter");
    counter.setAttribute("aria-live", "polite");
    counter.setAttribute("aria-atomic", "true");
    bar.appendChild(counter);
    panel.appendChild(bar);
    void restartBtn;

    var card = el("section", "sm-card");
    card.setAttribute("aria-live", "polite");
    card.tabIndex = -1;
    panel.appendChild(card);

    var itinerary = el("nav", "sm-itinerary");
    itinerary.setAttribute("aria-label", "Itinerary");
    itinerary.appendChild(el("h2", "sm-section", "Itinerary"));
    var list = el("ol", "sm-steps");
    var items = stops.map(function (place, i) {
      var li = el("li", "sm-step" + (place.dateStatus === "expected" ? " sm-planned" : ""));
      var b = el("button", "sm-step-btn");
      b.type = "button";
      b.appendChild(el("span", "sm-step-num", String(i + 1))).setAttribute("aria-hidden", "true");
      var label = el("span", "sm-step-text");
      label.appendChild(el("span", "sm-step-name", place.name));
      label.appendChild(el("span", "sm-step-date", statusText(place)));
      b.appendChild(label);
      b.setAttribute("aria-label", "Stop " + (i + 1) + ": " + place.name + ", " + statusText(place));
      b.addEventListener("click", function () { pause(); goTo(i + 1); });
      li.appendChild(b);
      list.appendChild(li);
      return li;
    });
    itinerary.appendChild(list);
    panel.appendChild(itinerary);

    if (mentions.length) {
      var also = el("section", "sm-also");
      also.appendChild(el("h2", "sm-section", "Also mentioned"));
      var alsoList = el("ul", "sm-also-list");
      mentions.forEach(function (place) {
        var li = el("li");
        var b = el("button", "sm-also-btn", place.name);
        b.type = "button";
        b.setAttribute("aria-label", place.name + ", mentioned " + (place.count || 0) + (place.count === 1 ? " time" : " times"));
        b.addEventListener("click", function () {
          pause();
          if (!map.hasLayer(mentionLayer)) { map.addLayer(mentionLayer); }
          showMention(place);
          card.focus({ preventScroll: true });
        });
        li.appendChild(b);
        alsoList.appendChild(li);
      });
      also.appendChild(alsoList);
      panel.appendChild(also);
    }

    var sources = el("section", "sm-sources");
    sources.appendChild(el("h2", "sm-section", "Sources"));
    var srcList = el("ul", "sm-source-list");
    Object.keys(articles).sort().forEach(function (id) { srcList.appendChild(credit(articles[id], "li")); });
    sources.appendChild(srcList);
    panel.appendChild(sources);

    /* "Title - Outlet, date", the title (or, without one, the outlet) linking to the article. */
    function credit(article, tag) {
      var node = el(tag || "p", "sm-credit");
      if (!article) { return node; }
      var named = article.title || (article.url ? article.source : null);
      if (named) {
        var cite = el("cite", "sm-credit-title");
        if (article.url) {
          var link = el("a", null, named);
          link.href = article.url;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          cite.appendChild(link);
        } else { cite.textContent = named; }
        node.appendChild(cite);
      }
      var rest = [article.title ? article.source : null, fmtDate(article.published)].filter(Boolean).join(", ");
      if (rest) { node.appendChild(document.createTextNode((named ? " \u2014 " : "") + rest)); }
      return node;
    }

    function showPlace(place, isStop, index) {
      card.textContent = "";
      var kicker = isStop ? "Stop " + index + " of " + stops.length : "Place mentioned";
      card.appendChild(el("p", "sm-kicker", kicker));
      card.appendChild(el("h2", "sm-place", place.name));
      var meta = el("p", "sm-meta");
      if (isStop) {
        meta.appendChild(el("span", "sm-status sm-status-" + (place.dateStatus || "unknown"),
          STATUS[place.dateStatus] || "Status unknown"));
        meta.appendChild(el("span", "sm-date", fmtDate(place.date) || "Date not reported"));
      } else {
        meta.appendChild(el("span", "sm-status sm-status-mention", "Mentioned"));
        meta.appendChild(el("span", "sm-date", (place.count || 0) + (place.count === 1 ? " mention" : " mentions")));
      }
      card.appendChild(meta);
      if (isStop) {
        if ((place.authorText || []).length) { card.appendChild(authorBlocks(place.authorText, "sm-stop-text")); }
        (place.media || []).forEach(function (m) { card.appendChild(figure(m)); });
      }
      var quotes = el("ul", "sm-excerpts");
      quotes.setAttribute("aria-label", "Excerpts about " + place.name);
      (place.excerpts || []).forEach(function (ex) {
        var li = el("li", "sm-excerpt");
        var q = el("blockquote", "sm-quote");
        highlight(q, ex.text, ex.marks);
        li.appendChild(q);
        var art = articles[ex.article];
        if (art) { li.appendChild(credit(art)); }
        else if (ex.sources) { li.appendChild(el("p", "sm-credit", ex.sources)); }
        quotes.appendChild(li);
      });
      if (!(place.excerpts || []).length) { card.appendChild(el("p", "sm-empty", "No excerpt available.")); }
      card.appendChild(quotes);
      if (!isStop && state.step > 0) {
        var back = el("button", "sm-back", "Back to stop " + state.step);
        back.type = "button";
        back.addEventListener("click", function () { goTo(state.step, { animate: false, force: true }); });
        card.appendChild(back);
      }
      revealCard();
    }

    /* Bring the card (its heading, the stop's text and image) into view where the panel scrolls
       by itself (side by side, as in a framed embed): the panel's own scroll position changes,
       never the page's nor the host page's around a frame (scrollIntoView would scroll those
       too). The card's top goes under the controls when the card is not in view, or what it
       opens with (heading, text, images) runs below the panel. */
    function revealCard() {
      var style = window.getComputedStyle(panel);
      if ((style.overflowY !== "auto" && style.overflowY !== "scroll") || panel.scrollHeight <= panel.clientHeight + 1) {
        return;
      }
      var frame = panel.getBoundingClientRect();
      var stuck = window.getComputedStyle(bar).position === "sticky" ? parseFloat(style.paddingTop) + bar.offsetHeight : 0;
      var top = frame.top + panel.clientTop + stuck, bottom = frame.top + panel.clientTop + panel.clientHeight;
      var box = card.getBoundingClientRect();
      var lead = card.querySelectorAll(".sm-place, .sm-stop-text, .sm-figure");
      var end = lead.length ? lead[lead.length - 1].getBoundingClientRect().bottom : box.top;
      if (box.top >= top - 1 && end <= bottom + 1) { return; }
      var target = Math.max(0, Math.round(panel.scrollTop + box.top - top));
      if (typeof panel.scrollTo === "function") {
        panel.scrollTo({ top: target, behavior: reduced() ? "auto" : "smooth" });
      } else { panel.scrollTop = target; }
    }

    /* Show a mentioned place in context (with the route) and open its label. */
    function showMention(place) {
      var bounds = overviewBounds().extend([place.lat, place.lon]);
      if (sized()) { map.fitBounds(bounds, { padding: [60, 60], maxZoom: STOP_ZOOM, animate: !reduced() }); }
      var marker = mentionMarkers[place.id];
      if (marker) { marker.openTooltip(); }
      showPlace(place, false);
    }

    function showOverview() {
      card.textContent = "";
      var cover = data.cover || {};
      card.classList.toggle("sm-cover", !!(cover.headline || cover.dek || cover.byline || (cover.intro || []).length));
      card.appendChild(el("p", "sm-kicker", "Overview"));
      card.appendChild(el("h2", "sm-place", data.routeName));
      if (cover.dek) { card.appendChild(el("p", "sm-dek", cover.dek)); }
      if (cover.byline) { card.appendChild(el("p", "sm-byline", cover.byline)); }
      if ((cover.intro || []).length) { card.appendChild(authorBlocks(cover.intro, "sm-intro-text")); }
      var first = stops[0], last = stops[stops.length - 1];
      if (first) {
        card.appendChild(el("p", "sm-intro", "From " + first.name + " to " + last.name + ": " + stops.length +
          (stops.length === 1 ? " stop" : " stops") + ". Press play, use the arrow keys, or choose a stop."));
      }
      if (mentions.length) {
        card.appendChild(el("p", "sm-intro sm-muted", "Grey circles mark places the articles only mention; click one to read what they say."));
      }
      revealCard();
    }

    /* ---------------------------------------------------------------- legend */
    function legend() {
      var control = L.control({ position: "bottomleft" });
      control.onAdd = function () {
        var box = el("div", "sm-legend leaflet-bar");
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", "Legend");
        [["stop", "Stop on the route"], ["route", "Route (reported)"], ["planned", "Planned leg"],
          ["mention", "Place mentioned"]].forEach(function (row) {
          if (row[0] === "planned" && !legs.some(function (l) { return l.planned; })) { return; }
          if (row[0] === "mention" && !mentions.length) { return; }
          var line = el("div", "sm-legend-row");
          line.appendChild(svgSwatch(row[0]));
          line.appendChild(el("span", null, row[1]));
          box.appendChild(line);
        });
        L.DomEvent.disableClickPropagation(box);
        return box;
      };
      return control;
    }

    /* ---------------------------------------------------------------- navigation */
    function later(ms, token, fn) {
      state.timer = window.setTimeout(function () { if (token === state.token) { fn(); } }, ms);
    }

    function setDrawn(step) {
      drawn.forEach(function (line, i) { line.setLatLngs(i < step - 1 ? legs[i].path : []); });
    }

    function setHash(step) {
      var mode = mapOnly ? "#map" : present ? "#present" : "";
      var hash = mode + (step > 0 ? (mode ? "-" : "#") + "step-" + step : "");
      if (window.location.hash === hash || (!hash && !window.location.hash)) { return; }
      try {
        window.history.replaceState(null, "", hash || (window.location.pathname + window.location.search));
      } catch (e) { /* sandboxed frames may refuse; the map still works */ }
    }

    function announce(step) {
      var place = stops[step - 1];
      markers.forEach(function (m) {
        var node = m.getElement();
        if (node) { node.classList.toggle("sm-active", m === markerOf[step - 1]); }
      });
      items.forEach(function (li, i) {
        var b = li.firstChild;
        li.classList.toggle("sm-current", i === step - 1);
        li.classList.toggle("sm-done", i < step - 1);
        if (i === step - 1) { b.setAttribute("aria-current", "step"); } else { b.removeAttribute("aria-current"); }
      });
      counter.textContent = step > 0 ? "Stop " + step + " of " + stops.length : "Overview";
      prevBtn.disabled = step <= 0;
      nextBtn.disabled = step >= stops.length;
      if (step > 0) { showPlace(place, true, step); } else { showOverview(); }
      if (present) { presentStep(step); }
      if (caption) {
        caption.textContent = "";
        caption.appendChild(document.createTextNode(step > 0 ? step + ". " + place.name + " " : data.routeName));
        if (step > 0) { caption.appendChild(el("span", "sm-caption-date", statusText(place))); }
      }
      setHash(step);
      reportHeight();
      var detail = { step: step, id: place ? place.id : null, name: place ? place.name : null,
        date: place ? place.date : null, status: place ? place.dateStatus : null };
      emit("storymap:step", detail);
    }

    function emit(name, detail) {
      var event;
      try { event = new CustomEvent(name, { detail: detail }); } catch (e) {
        event = document.createEvent("CustomEvent");
        event.initCustomEvent(name, false, false, detail);
      }
      window.dispatchEvent(event);
    }

    function overviewBounds() {
      var pts = stops.length ? stops : mentions;
      return L.latLngBounds(pts.map(function (p) { return [p.lat, p.lon]; }));
    }

    function view(step, animate) {
      if (!sized()) { pendingView = step; return; }
      pendingView = null;
      var opts = { animate: animate, duration: TIMING.arrive / 1000 };
      if (step === 0) {
        if (animate) { flying = true; map.flyToBounds(overviewBounds(), { padding: [50, 50], maxZoom: STOP_ZOOM, duration: 1 }); }
        else { map.fitBounds(overviewBounds(), { padding: [50, 50], maxZoom: STOP_ZOOM, animate: false }); }
        return;
      }
      var p = stops[step - 1];
      /* each stop's own zoom (its kind, its neighbours, or the author's), within the map's range */
      var zoom = Math.max(map.getMinZoom(), Math.min(map.getMaxZoom(), typeof p.zoom === "number" ? p.zoom : STOP_ZOOM));
      if (animate) { flying = true; map.flyTo([p.lat, p.lon], zoom, opts); } else { map.setView([p.lat, p.lon], zoom, { animate: false }); }
    }

    function hideTraveller() { traveller.setStyle({ opacity: 0, fillOpacity: 0 }); }

    /* Draw leg i (to stop i+2) progressively with the traveller on it, then call done. */
    function travel(i, token, done) {
      var path = legs[i].path;
      if (sized()) {
        flying = true;
        map.flyToBounds(L.latLngBounds(path), { padding: [70, 70], maxZoom: STOP_ZOOM, duration: TIMING.fly / 1000 });
      }
      later(TIMING.fly + 50, token, function () {
        var start = null;
        traveller.setStyle({ opacity: 1, fillOpacity: 1 });
        function frame(now) {
          if (token !== state.token) { return; }
          if (start === null) { start = now; }
          var t = Math.min(1, (now - start) / TIMING.draw);
          var eased = t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2;
          var exact = eased * (path.length - 1);
          var k = Math.floor(exact);
          var pts = path.slice(0, k + 1);
          if (k < path.length - 1) {
            var a = path[k], b = path[k + 1], f = exact - k;
            pts.push([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f]);
          }
          drawn[i].setLatLngs(pts);
          traveller.setLatLng(pts[pts.length - 1]);
          if (t < 1) { window.requestAnimationFrame(frame); } else { done(); }
        }
        window.requestAnimationFrame(frame);
      });
    }

    /* Go to stop n (1-based; 0 = overview). */
    function goTo(n, options) {
      var opts = options || {};
      var step = Math.max(0, Math.min(stops.length, Math.round(Number(n)) || 0));
      if (step === state.step && !opts.force) { if (opts.onArrive) { opts.onArrive(); } return step; }
      var token = ++state.token;
      window.clearTimeout(state.timer);
      var animate = opts.animate !== false && !reduced();
      var from = state.step;
      state.step = step;
      announce(step);
      hideTraveller();
      var arrive = function () {
        emit("storymap:arrive", { step: step });
        if (opts.onArrive) { opts.onArrive(); }
      };
      if (animate && step === from + 1 && step >= 2) {
        setDrawn(step - 1);
        travel(step - 2, token, function () {
          hideTraveller();
          view(step, true);
          later(TIMING.arrive + 50, token, arrive);
        });
      } else {
        setDrawn(step);
        view(step, animate && from >= 0);
        later(animate && from >= 0 ? TIMING.arrive + 50 : 0, token, arrive);
      }
      return step;
    }

    function next() { return goTo(state.step + 1); }
    function prev() { return goTo(state.step - 1); }

    function setPlaying(on) {
      state.playing = on;
      playBtn.setAttribute("aria-label", on ? "Pause" : "Play");
      playBtn.title = on ? "Pause" : "Play";
      playBtn.setAttribute("aria-pressed", on ? "true" : "false");
      playBtn.firstChild.textContent = on ? "\u275a\u275a" : "\u25b6";
      container.classList.toggle("sm-playing", on);
    }

    function advance() {
      if (!state.playing) { return; }
      if (state.step >= stops.length) { setPlaying(false); return; }
      goTo(state.step + 1, { onArrive: function () {
        if (!state.playing) { return; }
        var dwell = reduced() ? TIMING.jumpDwell : TIMING.dwell;
        if (state.step >= stops.length) { later(dwell, state.token, close); return; }
        later(dwell, state.token, advance);
      } });
    }

    /* The end of play: the whole route in view, the last stop's card still open. */
    function close() {
      setPlaying(false);
      view(0, !reduced());
      if (present) { presentEnd(); }
      emit("storymap:end", { step: state.step });
    }

    /* options.dwell: how long each stop holds (ms), e.g. longer for a video */
    function play(options) {
      if (options && typeof options.dwell === "number" && options.dwell > 0) { TIMING.dwell = options.dwell; }
      if (state.playing || !stops.length) { return; }
      if (state.step >= stops.length) { goTo(0, { animate: false }); }
      setPlaying(true);
      advance();
    }

    /* How long play takes (ms), to "storymap:end", with each stop held for dwell ms: the first
       stop is flown to from the overview, each later one reached along its leg (the flight
       over it, the drawing, the arrival). */
    function playTime(dwell) {
      var hold = typeof dwell === "number" && dwell > 0 ? dwell : TIMING.dwell;
      if (!stops.length) { return 0; }
      var arrive = TIMING.arrive + 50;
      return arrive + hold + (stops.length - 1) * (TIMING.fly + 50 + TIMING.draw + arrive + hold);
    }

    /* ------------------------------------------------------------ presentation mode */
    var stage = null, titleCard = null;
    function presentation() {
      stage = el("section", "sm-stage");
      stage.setAttribute("aria-live", "polite");
      panel.appendChild(stage);
      titleCard = el("div", "sm-title-card");
      var inner = el("div", "sm-title-inner");
      var cover = data.cover || {};
      inner.appendChild(el("p", "sm-kicker", data.routeName));
      inner.appendChild(el("h1", "sm-title-head", data.title));
      if (cover.dek) { inner.appendChild(el("p", "sm-title-dek", shorten(cover.dek, 220))); }
      var first = stops[0], last = stops[stops.length - 1];
      var facts = [];
      if (first) { facts.push(stops.length === 1 ? first.name : "From " + first.name + " to " + last.name); }
      if (stops.length) { facts.push(stops.length + (stops.length === 1 ? " stop" : " stops")); }
      var span = dateSpan();
      if (span) { facts.push(span); }
      if (facts.length) { inner.appendChild(el("p", "sm-title-facts", facts.join(" \u00b7 "))); }
      if (cover.byline) { inner.appendChild(el("p", "sm-byline", cover.byline)); }
      titleCard.appendChild(inner);
      document.body.appendChild(titleCard);
      /* the credits stay, as plain text: a video has no links */
      var credit = el("p", "sm-present-credit", (container.querySelector(".leaflet-control-attribution") || {}).textContent || "");
      container.appendChild(credit);
    }

    function dateSpan() {
      var dates = stops.map(function (p) { return p.date; }).filter(function (d) { return /^\d{4}-\d{2}-\d{2}$/.test(d || ""); }).sort();
      if (!dates.length) { return null; }
      var a = fmtDate(dates[0]), b = fmtDate(dates[dates.length - 1]);
      return a === b ? a : a + " \u2013 " + b;
    }

    /* the stop's words: the author's own text, else the first excerpt, with its credit */
    function stopWords(place) {
      var own = blocksText(place.authorText);
      if (own) { return { text: shorten(own, 230), marks: [], article: null }; }
      var ex = (place.excerpts || [])[0];
      return ex ? { text: shorten(ex.text, 230), marks: ex.marks, article: articles[ex.article] || null } : null;
    }

    function presentStep(step) {
      if (!stage) { return; }
      titleCard.classList.toggle("sm-shown", step === 0);
      stage.textContent = "";
      if (step === 0) { return; }
      var place = stops[step - 1];
      stage.appendChild(el("p", "sm-kicker", "Stop " + step + " of " + stops.length));
      stage.appendChild(el("h2", "sm-stage-name", place.name));
      stage.appendChild(el("p", "sm-stage-date", statusText(place)));
      var words = stopWords(place);
      if (words) {
        var quote = el("blockquote", "sm-stage-quote");
        highlight(quote, words.text, words.marks);
        stage.appendChild(quote);
        if (words.article) {
          var a = words.article;
          stage.appendChild(el("p", "sm-stage-credit", [a.source, fmtDate(a.published)].filter(Boolean).join(", ")));
        }
      }
      stage.appendChild(progressDots(step));
    }

    function progressDots(step) {
      var dots = el("p", "sm-stage-dots");
      dots.setAttribute("aria-hidden", "true");
      stops.forEach(function (p, i) { dots.appendChild(el("span", "sm-dot" + (i < step ? " sm-dot-done" : ""))); });
      return dots;
    }

    /* the end: the whole route, its stops in order */
    function presentEnd() {
      if (!stage) { return; }
      stage.textContent = "";
      stage.appendChild(el("p", "sm-kicker", "The whole route"));
      stage.appendChild(el("h2", "sm-stage-name", data.routeName));
      var span = dateSpan();
      stage.appendChild(el("p", "sm-stage-date", stops.length + (stops.length === 1 ? " stop" : " stops") + (span ? " \u00b7 " + span : "")));
      var list = el("ol", "sm-stage-list");
      stops.forEach(function (p) { list.appendChild(el("li", null, p.name)); });
      stage.appendChild(list);
      stage.appendChild(progressDots(stops.length));
    }

    function pause() {
      if (!state.playing) { return; }
      setPlaying(false);
      window.clearTimeout(state.timer);
    }

    function toggle() { if (state.playing) { pause(); } else { play(); } }

    function restart() {
      pause();
      goTo(0, { animate: false, force: true });
      play();
    }

    function stepFromHash() {
      var m = /^#(?:map-|present-)?step-(\d+)$/.exec(window.location.hash || "");
      return m ? parseInt(m[1], 10) : null;
    }

    window.addEventListener("hashchange", function () {
      var n = stepFromHash();
      if (n !== null && n !== state.step) { pause(); goTo(n, { animate: false }); }
    });

    document.addEventListener("keydown", function (e) {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) { return; }
      var t = e.target;
      var tag = t && t.tagName ? t.tagName.toLowerCase() : "";
      if (tag === "input" || tag === "textarea" || tag === "select" || (t && t.isContentEditable)) { return; }
      if (e.key === "ArrowRight") { e.preventDefault(); pause(); next(); }
      else if (e.key === "ArrowLeft") { e.preventDefault(); pause(); prev(); }
      else if (e.key === " " || e.key === "Spacebar") {
        if (tag === "button" || tag === "a" || (t && t.getAttribute && t.getAttribute("role") === "button")) { return; }
        e.preventDefault();
        toggle();
      } else if (e.key === "Home") { e.preventDefault(); pause(); goTo(stops.length ? 1 : 0, { animate: false }); }
      else if (e.key === "End") { e.preventDefault(); pause(); goTo(stops.length, { animate: false }); }
    });

    /* In a frame, tell the host page how tall the page is, so that one line of script there
       can size the frame to fit (see render.embed_snippet): {type: "storymap:height", height}. */
    var lastHeight = 0;
    function reportHeight() {
      if (window.parent === window) { return; }
      var height = Math.ceil(document.documentElement.scrollHeight);
      if (height === lastHeight) { return; }
      lastHeight = height;
      try { window.parent.postMessage({ type: "storymap:height", height: height }, "*"); } catch (e) { /* no parent to tell */ }
    }
    window.addEventListener("resize", reportHeight);
    window.addEventListener("load", reportHeight);
    panel.addEventListener("load", reportHeight, true);  /* an image in the panel changes its height */

    if (present) { presentation(); }
    var initial = stepFromHash();
    if (initial === null && data.initialStep !== null && data.initialStep !== undefined) { initial = data.initialStep; }
    goTo(initial === null ? 0 : initial, { animate: false, force: true });

    var api = {
      goTo: function (n) { pause(); return goTo(n); },
      play: play,
      pause: pause,
      next: function () { pause(); return next(); },
      prev: function () { pause(); return prev(); },
      restart: restart,
      step: function () { return state.step; },
      playTime: playTime,
      stops: function () { return stops.map(function (p) { return { id: p.id, name: p.name, date: p.date, status: p.dateStatus }; }); },
      map: map
    };
    window.storymap = api;
    return api;
  }

  window.storymapInit = init;
}());

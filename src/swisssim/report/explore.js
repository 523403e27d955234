// swisssim report: sortable and filterable tables, model details (no framework, no network).
(function () {
  "use strict";
  var NUMBER = /[-+\u2212]?\d+(?:\.\d+)?(?:e[-+]?\d+)?/i;
  function key(cell) {
    var text = cell.textContent.trim();
    var match = text.match(NUMBER);
    return match ? parseFloat(match[0].replace("\u2212", "-")) : NaN;
  }
  function enhance(table) {
    var head = table.tHead, body = table.tBodies[0];
    if (!head || !body) { return; }
    var rows = Array.prototype.slice.call(body.rows);
    var box = document.createElement("input");
    box.type = "search";
    box.className = "table-filter";
    box.placeholder = "Filter " + rows.length + " rows\u2026";
    box.setAttribute("aria-label", "Filter the rows of table " + table.id);
    var count = document.createElement("span");
    count.className = "filter-count";
    var bar = document.createElement("div");
    bar.className = "table-tools";
    bar.appendChild(box);
    bar.appendChild(count);
    var wrap = table.parentNode;
    wrap.parentNode.insertBefore(bar, wrap);
    box.addEventListener("input", function () {
      var query = box.value.trim().toLowerCase(), shown = 0;
      rows.forEach(function (row) {
        var hit = !query || row.textContent.toLowerCase().indexOf(query) >= 0;
        row.hidden = !hit;
        if (hit) { shown += 1; }
      });
      count.textContent = query ? shown + " of " + rows.length + " rows" : "";
    });
    Array.prototype.forEach.call(head.rows[0].cells, function (th, column) {
      th.classList.add("sortable");
      th.tabIndex = 0;
      th.title = "Sort by " + th.textContent;
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(head.rows[0].cells, function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var keys = rows.map(function (row) { return key(row.cells[column]); });
        var numeric = rows.every(function (row, i) {
          var text = row.cells[column].textContent.trim();
          return !isNaN(keys[i]) || text === "" || text === "\u2013";
        });
        var order = rows.map(function (row, i) { return i; });
        order.sort(function (a, b) {
          var x, y, result;
          if (numeric) {
            x = keys[a]; y = keys[b];
            if (isNaN(x) !== isNaN(y)) { return isNaN(x) ? 1 : -1; }
            result = isNaN(x) ? 0 : x - y;
          } else {
            result = rows[a].cells[column].textContent.localeCompare(
              rows[b].cells[column].textContent);
          }
          return (ascending ? result : -result) || a - b;
        });
        rows = order.map(function (i) { return rows[i]; });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("main table"), enhance);

  var source = document.getElementById("model-data");
  var panel = document.getElementById("model-detail");
  if (!source || !panel) { return; }
  var data = JSON.parse(source.textContent);
  var SVG = "http://www.w3.org/2000/svg";
  function svg(name, attributes, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (k) { node.setAttribute(k, attributes[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function titled(node, text) { svg("title", {}, node).textContent = text; return node; }
  function chart(width, height) {
    return svg("svg", {viewBox: "0 0 " + width + " " + height, width: width, height: height,
                       class: "detail-chart"});
  }
  function rankChart(model, label) {
    var n = data.n_models, width = 460, height = 120, left = 30, bottom = 20;
    var plot = chart(width, height), ranks = model.ranks[label] || [];
    var top = Math.max.apply(null, ranks.map(function (r) { return r[1]; }).concat([1e-9]));
    var step = (width - left - 5) / n;
    svg("line", {x1: left, y1: height - bottom, x2: width - 5, y2: height - bottom,
                 stroke: "#555"}, plot);
    ranks.forEach(function (r) {
      var h = (height - bottom - 8) * r[1] / top;
      titled(svg("rect", {x: left + (r[0] - 1) * step, y: height - bottom - h,
                          width: Math.max(step - 1, 1), height: h, fill: "#1f5f99"}, plot),
             "rank " + r[0] + ": P = " + r[1].toFixed(4));
    });
    [1, n].forEach(function (r) {
      svg("text", {x: left + (r - 0.5) * step, y: height - 5, "text-anchor": "middle",
                   "font-size": 10}, plot).textContent = "#" + r;
    });
    svg("text", {x: 2, y: 12, "font-size": 10}, plot).textContent = "P max " + top.toFixed(2);
    return plot;
  }
  function survivalChart(model) {
    var rounds = data.rounds, width = 460, height = 130, left = 30, bottom = 20;
    var plot = chart(width, height), colours = ["#1f5f99", "#d62728", "#2ca02c", "#ff7f0e",
                                                 "#9467bd", "#8c564b"];
    var step = (width - left - 10) / Math.max(rounds.length, 1);
    data.schedules.forEach(function (label, s) {
      var values = [1].concat(model.survival[label] || []);
      var points = values.map(function (p, k) {
        return (left + k * step) + "," + (8 + (height - bottom - 8) * (1 - p));
      }).join(" ");
      titled(svg("polyline", {points: points, fill: "none", stroke: colours[s % 6],
                              "stroke-width": 2}, plot),
             "T=" + label + ": P(active) by round " + values.map(function (p) {
               return p.toFixed(3); }).join(", "));
    });
    rounds.forEach(function (name, k) {
      svg("text", {x: left + (k + 1) * step, y: height - 5, "text-anchor": "end",
                   "font-size": 9}, plot).textContent = k + 1;
    });
    svg("text", {x: 2, y: 12, "font-size": 10}, plot).textContent = "P=1";
    svg("text", {x: 2, y: height - bottom, "font-size": 10}, plot).textContent = "P=0";
    svg("line", {x1: left, y1: height - bottom, x2: width - 10, y2: height - bottom,
                 stroke: "#555"}, plot);
    return plot;
  }
  function show() {
    var match = /^#model-(\d+)$/.exec(window.location.hash);
    var model = match ? data.models[parseInt(match[1], 10)] : null;
    if (!model) { return; }
    var body = document.getElementById("model-detail-body");
    body.textContent = "";
    var title = document.createElement("h3");
    title.textContent = model.display + (model.family ? " (" + model.family + ")" : "");
    body.appendChild(title);
    data.schedules.forEach(function (label) {
      var line = document.createElement("p");
      var es = model.scores[label];
      line.textContent = "T=" + label + ": E[S] = " + es[0].toFixed(3) + " \u00b1 " +
        es[1].toFixed(3) + "; rank distribution:";
      body.appendChild(line);
      body.appendChild(rankChart(model, label));
    });
    var caption = document.createElement("p");
    caption.textContent = "Survival: P(still active) after each round, one line per schedule (" +
      data.schedules.map(function (l) { return "T=" + l; }).join(", ") + "); rounds: " +
      data.rounds.join(", ") + ".";
    body.appendChild(caption);
    body.appendChild(survivalChart(model));
    panel.hidden = false;
    panel.scrollIntoView();
  }
  window.addEventListener("hashchange", show);
  show();
}());

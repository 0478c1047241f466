/*
 * The park map of the alerts region page: every [data-parkmap] element names a json_script with
 * {"cells": [{"code", "name", "zone", "x", "y", "risk", "enterprises", "cd_share", "open_alerts", "url"}],
 *  "zones": [...], "labels": {"enterprises": "...", "cd_share": "...", "open_alerts": "..."}}
 * Buildings are drawn as squares at their grid position, coloured from green (quiet) to red
 * (risky); clicking one opens its drill-down page. No inline script (CSP), no map tiles.
 */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") {
    return;
  }

  // The tooltip is HTML: building codes and names are staff-entered text, so escape them.
  function esc(value) {
    return String(value).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[ch];
    });
  }

  function draw(element) {
    var node = document.getElementById(element.getAttribute("data-parkmap"));
    if (!node) {
      return;
    }
    var spec = JSON.parse(node.textContent);
    var labels = spec.labels || {};
    var cells = spec.cells || [];
    var chart = window.echarts.init(element);
    var maxY = cells.reduce(function (m, c) { return Math.max(m, c.y); }, 0);
    chart.setOption({
      tooltip: {
        confine: true,
        formatter: function (p) {
          var c = p.data.cell;
          return esc(c.code + " " + c.name) + "<br>" + esc(labels.enterprises) + ": " + c.enterprises +
            "<br>" + esc(labels.cd_share) + ": " + Math.round(c.cd_share * 100) + "%" +
            "<br>" + esc(labels.open_alerts) + ": " + c.open_alerts;
        }
      },
      grid: { left: 90, right: 20, top: 10, bottom: 50 },
      xAxis: { type: "value", show: false, min: -0.6 },
      yAxis: {
        type: "value", inverse: true, min: -0.6, max: maxY + 0.6, interval: 1,
        axisLabel: { formatter: function (v) { return spec.zones[v] || ""; } },
        splitLine: { show: false }
      },
      visualMap: {
        min: 0, max: 1, dimension: 2, orient: "horizontal", left: "center", bottom: 0,
        text: [labels.high || "", labels.low || ""], calculable: false,
        inRange: { color: ["#2fb344", "#f59f00", "#d63939"] }
      },
      series: [{
        type: "scatter",
        symbol: "roundRect",
        symbolSize: 34,
        label: { show: true, formatter: function (p) { return p.data.cell.code; }, fontSize: 10, color: "#fff" },
        data: cells.map(function (c) { return { value: [c.x, c.y, c.risk], cell: c }; })
      }]
    });
    chart.on("click", function (p) {
      if (p.data && p.data.cell && p.data.cell.url) {
        window.location.href = p.data.cell.url;
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-parkmap]").forEach(draw);
  });
})();

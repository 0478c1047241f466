/*
 * Draws every [data-chart] element with ECharts. The element names a <script type="application/json">
 * (Django's json_script) holding a small spec built by the server:
 *   {"type": "pie", "name": "...", "items": [{"name": "...", "value": 3}]}
 *   {"type": "bar" | "line", "categories": [...], "series": [{"name": "...", "data": [...], "stack": "..."}],
 *    "horizontal": false, "labels": true}  (labels: false hides the value labels on plain bars)
 *   {"type": "gauge", "name": "...", "value": 712, "min": 0, "max": 1000, "bands": [{"to": 600, "colour": "red"}, ...]}
 * Instead of a json_script, the element may hold the spec in a data-chart-spec attribute (for htmx fragments).
 * Pie items and series may name a "colour" (a grade colour or a CSS colour) to fix their colour.
 * Charts follow the page language (Chinese by default), redraw on window resize and after htmx swaps.
 */
(function () {
  "use strict";

  if (typeof window.echarts === "undefined") {
    return;
  }

  var PALETTE = ["#1d5fbf", "#2fb344", "#f59f00", "#d63939", "#4299e1", "#ae3ec9", "#17a2b8",
    "#f76707", "#74b816", "#6574cd", "#d6336c", "#0ca678", "#868e96"];
  var POLARITY_COLOURS = { negative: "#d63939", positive: "#2fb344", neutral: "#868e96" };
  // Grade colours (green / yellow / red / black), the same tones as the grade badges.
  var NAMED_COLOURS = { green: "#2fb344", yellow: "#f59f00", red: "#d63939", black: "#1e293b" };
  var NARROW = 480;
  var LEGEND_ROW = 24;
  var charts = new Map();

  function locale() {
    return (document.documentElement.lang || "zh").toLowerCase().indexOf("en") === 0 ? "EN" : "ZH";
  }

  // The spec comes from the json_script named by data-chart, or from a data-chart-spec attribute:
  // htmx drops <script> elements from swapped fragments (allowScriptTags is off), so charts inside
  // fragments carry their spec in the attribute.
  function readSpec(element) {
    var inline = element.getAttribute("data-chart-spec");
    var id = element.getAttribute("data-chart");
    var node = id ? document.getElementById(id) : null;
    var text = inline || (node ? node.textContent : null);
    if (!text) {
      return null;
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      return null;
    }
  }

  // Rows a wrapping ("plain") legend needs for these names in this width: about one em per
  // CJK character, half an em per Latin one, plus the colour swatch and the gap.
  function legendRows(names, width) {
    var row = 0;
    var rows = 1;
    names.forEach(function (name) {
      var text = String(name || "");
      var em = 0;
      for (var i = 0; i < text.length; i += 1) {
        em += text.charCodeAt(i) > 0x2e80 ? 1 : 0.55;
      }
      var item = 12 * em + 25 + 10;
      if (row > 0 && row + item > width - 20) {
        rows += 1;
        row = 0;
      }
      row += item;
    });
    return rows;
  }

  // A wrapping legend while it takes at most `maxRows` rows, otherwise one scrolling row.
  function legendFor(names, width, position, maxRows) {
    var rows = legendRows(names, width);
    if (rows > maxRows) {
      return { legend: Object.assign({ type: "scroll" }, position), height: LEGEND_ROW };
    }
    return { legend: Object.assign({ type: "plain" }, position), height: rows * LEGEND_ROW };
  }

  function colourOf(name) {
    return NAMED_COLOURS[name] || name;
  }

  function pieOption(spec, element) {
    var items = (spec.items || []).map(function (item) {
      return item.colour ? Object.assign({ itemStyle: { color: colourOf(item.colour) } }, item) : item;
    });
    var width = element.clientWidth;
    var legend = legendFor(items.map(function (item) { return item.name; }), width, { bottom: 0 }, 3);
    var roomy = width >= 380;
    return {
      color: PALETTE,
      tooltip: { trigger: "item", formatter: "{b}: {c}({d}%)", confine: true },
      legend: legend.legend,
      series: [{
        name: spec.name || "",
        type: "pie",
        radius: roomy ? ["38%", "62%"] : ["35%", "60%"],
        center: ["50%", (50 - legend.height / element.clientHeight * 50) + "%"],
        avoidLabelOverlap: true,
        label: { show: roomy, formatter: "{b}\n{c}" },
        labelLine: { show: roomy },
        data: items
      }]
    };
  }

  function axisOption(spec, element) {
    var narrow = element.clientWidth < NARROW;
    var categories = spec.categories || [];
    var series = (spec.series || []).map(function (s, i) {
      var item = {
        name: s.name,
        type: spec.type === "line" ? "line" : "bar",
        data: s.data,
        emphasis: { focus: "series" }
      };
      if (s.stack) {
        item.stack = s.stack;
      }
      if (s.polarity && POLARITY_COLOURS[s.polarity]) {
        item.color = POLARITY_COLOURS[s.polarity];
      }
      if (s.colour) {
        item.color = colourOf(s.colour);
      }
      if (item.type === "bar" && !s.stack && spec.labels !== false) {
        item.barMaxWidth = 36;
        item.label = { show: true, position: spec.horizontal ? "right" : "top" };
      }
      if (item.type === "line") {
        item.symbolSize = 5;
      }
      return item;
    });
    var categoryAxis = {
      type: "category",
      data: categories,
      axisTick: { alignWithLabel: true },
      axisLabel: { hideOverlap: true }
    };
    var valueAxis = { type: "value", minInterval: 1 };
    var option = {
      color: PALETTE,
      tooltip: { trigger: "axis", axisPointer: { type: spec.type === "line" ? "line" : "shadow" }, confine: true },
      grid: { left: 8, right: spec.horizontal ? 32 : 16, top: 16, bottom: 8, containLabel: true },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? Object.assign({}, categoryAxis, { inverse: true }) : valueAxis,
      series: series
    };
    if (series.length > 1) {
      var legend = legendFor(series.map(function (item) { return item.name; }), element.clientWidth, { top: 0 },
        narrow ? 1 : 3);
      option.legend = legend.legend;
      option.grid.top = legend.height + 16;
    }
    // Three years of months do not fit a phone: show the latest year and let the user pan back.
    var shown = narrow ? 12 : 36;
    if (!spec.horizontal && categories.length > shown) {
      option.dataZoom = [
        { type: "inside", startValue: categories.length - shown, endValue: categories.length - 1 },
        { type: "slider", height: 18, bottom: 4, startValue: categories.length - shown, endValue: categories.length - 1 }
      ];
      option.grid.bottom = 36;
    }
    return option;
  }

  // A score dial: the axis ring is painted in the bands' colours, the needle points at the value.
  function gaugeOption(spec, element) {
    var min = spec.min || 0;
    var max = spec.max || 100;
    var stops = (spec.bands || []).map(function (band) {
      return [Math.min(1, Math.max(0, (band.to - min) / (max - min))), colourOf(band.colour)];
    });
    if (!stops.length || stops[stops.length - 1][0] < 1) {
      stops.push([1, "#868e96"]);
    }
    var narrow = element.clientWidth < NARROW;
    return {
      series: [{
        name: spec.name || "",
        type: "gauge",
        min: min,
        max: max,
        splitNumber: 5,
        radius: "92%",
        center: ["50%", "58%"],
        startAngle: 200,
        endAngle: -20,
        axisLine: { lineStyle: { width: narrow ? 12 : 16, color: stops } },
        pointer: { width: 5, itemStyle: { color: "auto" } },
        axisTick: { show: false },
        splitLine: { length: 8, lineStyle: { color: "auto" } },
        axisLabel: { distance: narrow ? 14 : 20, fontSize: 11 },
        title: { show: Boolean(spec.label), offsetCenter: [0, "78%"] },
        detail: { valueAnimation: true, fontSize: narrow ? 24 : 30, offsetCenter: [0, "42%"], color: "inherit" },
        data: [{ value: spec.value, name: spec.label || "" }]
      }]
    };
  }

  function optionFor(spec, element) {
    if (spec.type === "gauge") {
      return gaugeOption(spec, element);
    }
    return spec.type === "pie" ? pieOption(spec, element) : axisOption(spec, element);
  }

  function draw(element) {
    var spec = readSpec(element);
    if (!spec) {
      return;
    }
    var chart = charts.get(element);
    if (!chart) {
      chart = window.echarts.init(element, null, { locale: locale(), renderer: "canvas" });
      charts.set(element, chart);
    }
    chart.setOption(optionFor(spec, element), true);
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  function forgetDetached() {
    charts.forEach(function (chart, element) {
      if (!document.body.contains(element)) {
        chart.dispose();
        charts.delete(element);
      }
    });
  }

  var pending = null;
  function redrawSoon() {
    if (pending) {
      window.clearTimeout(pending);
    }
    pending = window.setTimeout(function () {
      pending = null;
      charts.forEach(function (chart, element) {
        var spec = readSpec(element);
        if (spec) {
          chart.setOption(optionFor(spec, element), true);
        }
        chart.resize();
      });
    }, 150);
  }

  window.addEventListener("resize", redrawSoon);
  document.addEventListener("htmx:afterSettle", function (event) {
    forgetDetached();
    drawAll(event.target);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
})();

// Draws every <canvas data-chart='{...}'> with the vendored Chart.js; the numbers come from the page (the same
// ones as the table beside each chart), never from an inline script.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec;
    try { spec = JSON.parse(canvas.getAttribute("data-chart")); } catch (e) { return; }
    var datasets = spec.datasets.map(function (ds) {
      var out = {label: ds.label, data: ds.data};
      if (ds.stack) { out.stack = ds.stack; }
      if (ds.target) {
        out.borderDash = [6, 4]; out.borderColor = "#b02a37"; out.backgroundColor = "#b02a37";
        out.pointRadius = 0; out.fill = false;
      }
      return out;
    });
    var valueAxis = {beginAtZero: true, stacked: !!spec.stacked};
    if (spec.y_max) { valueAxis.max = spec.y_max; }
    if (spec.unit === "%") { valueAxis.ticks = {callback: function (v) { return v + "%"; }}; }
    var scales = spec.horizontal ? {x: valueAxis, y: {stacked: !!spec.stacked}}
                                 : {x: {stacked: !!spec.stacked}, y: valueAxis};
    var chart = new window.Chart(canvas, {
      type: spec.type,
      data: {labels: spec.labels, datasets: datasets},
      options: {
        responsive: true, maintainAspectRatio: false, animation: reduceMotion ? false : {duration: 300},
        indexAxis: spec.horizontal ? "y" : "x", scales: scales, spanGaps: true,
        plugins: {legend: {position: "bottom"}}
      }
    });
    canvas.setAttribute("data-drawn", chart ? "true" : "false");
  });
})();

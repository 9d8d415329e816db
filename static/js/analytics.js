// Draws each report chart of the page with Chart.js (static/vendor/chartjs): the data is the
// <script type="application/json" id="<panel>"> the server wrote beside the panel's <canvas>,
// the same rows as the panel's "Show as table".
(function () {
  "use strict";
  var palette = ["#3457d5", "#e07a1f", "#2e9e6a", "#c2410c", "#7c3aed", "#0891b2", "#be185d", "#65a30d"];

  function bytes(value) {
    var units = ["B", "KB", "MB", "GB", "TB"], i = 0;
    while (Math.abs(value) >= 1024 && i < units.length - 1) { value /= 1024; i += 1; }
    return (i ? value.toFixed(1) : value) + " " + units[i];
  }

  function duration(seconds) {
    var s = Math.round(seconds);
    if (s < 60) { return s + " s"; }
    if (s < 3600) { return Math.round(s / 60) + " min"; }
    if (s < 172800) { return (s / 3600).toFixed(s < 36000 ? 1 : 0) + " h"; }
    return (s / 86400).toFixed(1) + " days";
  }

  function draw(panel) {
    var source = document.getElementById(panel.getAttribute("data-panel"));
    var canvas = panel.querySelector("canvas");
    if (!source || !canvas || !window.Chart) { return; }
    var spec = JSON.parse(source.textContent);
    var round = spec.type === "doughnut" || spec.type === "pie";
    var datasets = spec.datasets.map(function (set, i) {
      var colour = palette[i % palette.length];
      return {
        label: set.label, data: set.data, spanGaps: true, tension: 0, pointRadius: spec.labels.length > 60 ? 0 : 2,
        borderColor: round ? "#fff" : colour,
        backgroundColor: round ? set.data.map(function (_, j) { return palette[j % palette.length]; }) : colour
      };
    });
    var format = spec.unit === "bytes" ? bytes : spec.unit === "seconds" ? duration : function (v) { return v; };
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: {
          legend: { display: round || datasets.length > 1, position: "bottom" },
          tooltip: { callbacks: { label: function (item) {
            return (item.dataset.label ? item.dataset.label + ": " : "") + format(item.parsed.y !== undefined && !round ? item.parsed.y : item.parsed);
          } } }
        },
        scales: round ? {} : {
          x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } },
          y: { beginAtZero: true, ticks: { precision: 0, callback: function (v) { return format(v); } } }
        }
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-panel]"), function (panel) {
      if (panel.querySelector("canvas")) { draw(panel); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

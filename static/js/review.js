/* Review page: side-by-side / slider / overlay comparison, and drawing a comment region on the preview.
   Plain JS, no build step. Regions are sent as fractions of the image (x, y, w, h in 0..1). */
(function () {
  "use strict";
  var compare = document.querySelector("[data-compare]");
  if (compare) {
    var stage = compare.querySelector(".compare-stage");
    var range = compare.querySelector(".compare-range");
    var oldPane = compare.querySelector(".pane-old");
    var setPosition = function () {
      if (!oldPane || !range) return;
      var value = Number(range.value);
      stage.style.setProperty("--pos", value + "%");
      if (stage.classList.contains("mode-slider")) {
        oldPane.style.clipPath = "inset(0 " + (100 - value) + "% 0 0)";
        oldPane.style.opacity = "";
      } else if (stage.classList.contains("mode-overlay")) {
        oldPane.style.clipPath = "";
        oldPane.style.opacity = String(1 - value / 100);
      } else {
        oldPane.style.clipPath = "";
        oldPane.style.opacity = "";
      }
    };
    compare.querySelectorAll("[data-mode]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        compare.querySelectorAll("[data-mode]").forEach(function (other) { other.classList.remove("on"); });
        link.classList.add("on");
        stage.className = "compare-stage mode-" + link.dataset.mode;
        if (range) range.hidden = link.dataset.mode === "side";
        setPosition();
      });
    });
    if (range) range.addEventListener("input", setPosition);
    // "#compare=slider" (or overlay) opens the page in that mode, so a link can point at a comparison.
    var wanted = /compare=(side|slider|overlay)/.exec(location.hash);
    var start = wanted && compare.querySelector('[data-mode="' + wanted[1] + '"]');
    if (start) start.click();
  }

  var area = document.querySelector("[data-annotate]");
  var input = document.querySelector("input[name=region]");
  if (!area || !input) return;
  var box = area.querySelector(".region.drawing");
  var label = document.querySelector("[data-region-label]");
  var start = null;
  var clamp = function (v) { return Math.min(Math.max(v, 0), 1); };
  var point = function (event) {
    var rect = area.getBoundingClientRect();
    return { x: clamp((event.clientX - rect.left) / rect.width), y: clamp((event.clientY - rect.top) / rect.height) };
  };
  var draw = function (a, b) {
    var r = { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
    box.hidden = false;
    box.style.left = r.x * 100 + "%"; box.style.top = r.y * 100 + "%";
    box.style.width = r.w * 100 + "%"; box.style.height = r.h * 100 + "%";
    return r;
  };
  area.addEventListener("pointerdown", function (event) {
    if (event.target.closest("a.region")) return;  // clicking a marked region jumps to its comment
    event.preventDefault();
    start = point(event);
    area.setPointerCapture(event.pointerId);
  });
  area.addEventListener("pointermove", function (event) { if (start) draw(start, point(event)); });
  area.addEventListener("pointerup", function (event) {
    if (!start) return;
    var r = draw(start, point(event));
    start = null;
    if (r.w < 0.01 || r.h < 0.01) { box.hidden = true; input.value = ""; if (label) label.hidden = true; return; }
    input.value = JSON.stringify({ x: +r.x.toFixed(4), y: +r.y.toFixed(4), w: +r.w.toFixed(4), h: +r.h.toFixed(4) });
    if (label) label.hidden = false;
    var body = document.querySelector("textarea[name=body]");
    if (body) body.focus();
  });
  var clear = document.querySelector("[data-clear-region]");
  if (clear) clear.addEventListener("click", function () { input.value = ""; box.hidden = true; label.hidden = true; });
})();

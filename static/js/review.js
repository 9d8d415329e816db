/* Review page: side-by-side / slider / overlay comparison, and marking a comment region on the preview, with the
   mouse (drag) or the keyboard ("Mark a region", then arrow keys). Plain JS, no build step. Regions are sent as
   fractions of the image (x, y, w, h in 0..1); the server judges them. */
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
        compare.querySelectorAll("[data-mode]").forEach(function (other) {
          other.classList.remove("on");
          other.setAttribute("aria-selected", "false");
        });
        link.classList.add("on");
        link.setAttribute("aria-selected", "true");
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

  // Comments and their regions point at each other: focusing (or hovering) one lights the other up.
  var pairs = function (id) { return document.querySelectorAll('[data-comment="' + id + '"]'); };
  document.querySelectorAll("[data-comment]").forEach(function (el) {
    var light = function (on) { pairs(el.dataset.comment).forEach(function (other) { other.classList.toggle("lit", on); }); };
    el.addEventListener("focusin", function () { light(true); });
    el.addEventListener("focusout", function () { light(false); });
    el.addEventListener("mouseenter", function () { light(true); });
    el.addEventListener("mouseleave", function () { light(false); });
  });

  var area = document.querySelector("[data-annotate]");
  var input = document.querySelector("input[name=region]");
  if (!area || !input) return;
  var box = area.querySelector(".region.drawing");
  var label = document.querySelector("[data-region-label]");
  var labelText = label && label.querySelector("[data-region-text]");
  var readout = document.querySelector("[data-region-readout]");
  var markButton = document.querySelector("[data-mark-region]");
  var body = document.querySelector("#comment-form textarea[name=body]");
  var STEP = 0.02, SMALLEST = 0.02;
  var region = null;  // the marked rectangle, fractions of the picture; null: the whole image
  var start = null;
  var clamp = function (v, low, high) { return Math.min(Math.max(v, low), high); };
  var round = function (v) { return Math.round(v * 10000) / 10000; };
  var percent = function (v) { return Math.round(v * 100) + "%"; };
  var describe = function (r) {
    return "region at " + percent(r.x) + ", " + percent(r.y) + ", " + percent(r.w) + " wide, " + percent(r.h) + " high";
  };
  // The box, the form's hidden field and the sentences under the form all show the same rectangle.
  var show = function (r, announce) {
    region = r;
    if (!r) {
      box.hidden = true;
      input.value = "";
      if (label) label.hidden = true;
      return;
    }
    box.hidden = false;
    box.style.left = r.x * 100 + "%"; box.style.top = r.y * 100 + "%";
    box.style.width = r.w * 100 + "%"; box.style.height = r.h * 100 + "%";
    input.value = JSON.stringify({ x: round(r.x), y: round(r.y), w: round(r.w), h: round(r.h) });
    var sentence = describe(r);
    if (label) { label.hidden = false; if (labelText) labelText.textContent = "Your comment will be on the " + sentence + "."; }
    if (announce && readout) readout.textContent = sentence.charAt(0).toUpperCase() + sentence.slice(1);
  };
  var point = function (event) {
    var rect = area.getBoundingClientRect();
    return { x: clamp((event.clientX - rect.left) / rect.width, 0, 1), y: clamp((event.clientY - rect.top) / rect.height, 0, 1) };
  };
  var spanned = function (a, b) {
    return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
  };
  area.addEventListener("pointerdown", function (event) {
    if (event.target.closest("a.region") || event.target === box) return;  // a marked region jumps to its comment
    event.preventDefault();
    start = point(event);
    area.setPointerCapture(event.pointerId);
  });
  area.addEventListener("pointermove", function (event) {
    if (!start) return;
    var r = spanned(start, point(event));
    box.hidden = false;
    box.style.left = r.x * 100 + "%"; box.style.top = r.y * 100 + "%";
    box.style.width = r.w * 100 + "%"; box.style.height = r.h * 100 + "%";
  });
  area.addEventListener("pointerup", function (event) {
    if (!start) return;
    var r = spanned(start, point(event));
    start = null;
    if (r.w < 0.01 || r.h < 0.01) { show(null); return; }
    show(r, true);
    if (body) body.focus();
  });

  // The keyboard way: a box to move with the arrow keys and resize with Shift + arrow keys.
  box.addEventListener("keydown", function (event) {
    if (!region) return;
    var r = { x: region.x, y: region.y, w: region.w, h: region.h };
    var dx = { ArrowLeft: -STEP, ArrowRight: STEP }[event.key] || 0;
    var dy = { ArrowUp: -STEP, ArrowDown: STEP }[event.key] || 0;
    if (dx || dy) {
      if (event.shiftKey) {
        r.w = clamp(r.w + dx, SMALLEST, 1 - r.x);
        r.h = clamp(r.h + dy, SMALLEST, 1 - r.y);
      } else {
        r.x = clamp(r.x + dx, 0, 1 - r.w);
        r.y = clamp(r.y + dy, 0, 1 - r.h);
      }
      show(r, true);
    } else if (event.key === "Enter") {
      if (body) body.focus();
    } else if (event.key === "Escape") {
      show(null);
      if (readout) readout.textContent = "Region cancelled: the comment is on the whole image.";
      if (markButton) markButton.focus();
    } else {
      return;
    }
    event.preventDefault();
  });
  if (markButton) markButton.addEventListener("click", function () {
    show(region || { x: 0.3, y: 0.3, w: 0.4, h: 0.4 }, true);
    box.focus();
  });
  var whole = function (event) {
    if (event) event.preventDefault();
    show(null);
    if (readout) readout.textContent = "The comment is on the whole image.";
    if (body) body.focus();
  };
  var wholeLink = document.querySelector("[data-whole-image]");
  if (wholeLink) wholeLink.addEventListener("click", whole);
  var clear = document.querySelector("[data-clear-region]");
  if (clear) clear.addEventListener("click", whole);
  // A comment sent back with an error keeps its rectangle.
  if (input.value) {
    try {
      var kept = JSON.parse(input.value);
      if (typeof kept.x === "number") show({ x: kept.x, y: kept.y, w: kept.w, h: kept.h }, false);
    } catch (ignored) { show(null); }
  }
})();

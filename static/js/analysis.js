/* Content analysis on the asset page: transcript lines that seek the page's player. ("Map to another term" is
   the taxonomy's term picker, static/js/termpicker.js.) */
(function () {
  "use strict";

  function transcript(list) {
    // The panel's own player, else any player the page renders (a preview player, if the page gets one).
    var player = document.querySelector("[data-analysis-player]") || document.querySelector("video, audio");
    if (!player) return;
    var items = Array.prototype.slice.call(list.querySelectorAll("li"));
    list.addEventListener("click", function (e) {
      var button = e.target.closest("button.seek");
      if (!button) return;
      player.currentTime = parseFloat(button.dataset.start) || 0;
      var playing = player.play(); if (playing && playing.catch) playing.catch(function () {});
    });
    player.addEventListener("timeupdate", function () {
      var now = player.currentTime;
      items.forEach(function (li, i) {
        var start = parseFloat(li.querySelector("button.seek").dataset.start) || 0,
            next = items[i + 1] ? parseFloat(items[i + 1].querySelector("button.seek").dataset.start) : Infinity;
        li.classList.toggle("playing", now >= start && now < next);
      });
    });
  }

  function init() {
    document.querySelectorAll("[data-transcript]").forEach(transcript);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();

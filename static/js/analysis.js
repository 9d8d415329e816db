/* Content analysis on the asset page and the queue: a one-term picker for "Map to another term" (the taxonomy's
   autocomplete, as the asset form's tagging widget uses), and transcript lines that seek the page's player. */
(function () {
  "use strict";

  function picker(box) {
    var input = box.querySelector("input[type=search]"), hidden = box.querySelector("input[type=hidden]"),
        list = box.querySelector("ul"), timer = null;
    function choose(t) {
      hidden.value = t.id; input.value = t.label; list.hidden = true;
      input.setCustomValidity("");
    }
    input.addEventListener("input", function () {
      hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (!input.value.trim()) { list.hidden = true; return; }
        fetch(box.dataset.url + "?q=" + encodeURIComponent(input.value), {credentials: "same-origin"})
          .then(function (r) { return r.json(); }).then(function (data) {
            list.innerHTML = "";
            data.results.forEach(function (t) {
              var li = document.createElement("li"), strong = document.createElement("strong"),
                  path = document.createElement("span");
              strong.textContent = t.label; li.appendChild(strong);
              if (t.matched !== t.label) li.appendChild(document.createTextNode(" (" + t.matched + ")"));
              path.className = "help"; path.textContent = (t.path ? t.path + " · " : "") + t.vocabulary;
              li.appendChild(path);
              li.addEventListener("click", function () { choose(t); });
              list.appendChild(li);
            });
            list.hidden = !data.results.length;
          });
      }, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !hidden.value) {
        e.preventDefault();
        var first = list.querySelector("li"); if (first) first.click();
      }
    });
    box.closest("form").addEventListener("submit", function (e) {
      if (!hidden.value) {
        e.preventDefault();
        input.setCustomValidity("Choose the term it means from the list.");
        input.reportValidity();
      }
    });
  }

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
    document.querySelectorAll("[data-term-picker]").forEach(picker);
    document.querySelectorAll("[data-transcript]").forEach(transcript);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();

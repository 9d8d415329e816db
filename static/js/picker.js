/* The picker (templates/distribution/picker/): ticks, the Insert bar, and the messages to the page that opened it.
   Plain JS, no build step. Protocol: docs/picker.md. Messages go to window.opener (a popup) or window.parent
   (an iframe), to the one origin the server allowed (data-origin) and to no other: postMessage's targetOrigin
   makes the browser drop the message if that window now shows another site. */
(function () {
  "use strict";

  // Signing in happens in a window of its own (the sign-in page may be neither framed nor pass through a popup,
  // see distribution/picker.py). The page it lands on tells every picker of this browser, which reloads.
  var channel = window.BroadcastChannel ? new window.BroadcastChannel("dam-picker") : null;
  if (document.querySelector("[data-close-window]")) {
    if (channel) channel.postMessage("signed-in");
    try { window.localStorage.setItem("dam-picker-signed-in", String(Date.now())); } catch (e) { /* private mode */ }
    window.setTimeout(function () { window.close(); }, 300);
  }
  var signin = document.querySelector("[data-signin]");
  if (signin) {
    var reloading = false;
    var reload = function () {  // told twice (the channel and the storage event): reload once
      if (reloading) return;
      reloading = true;
      window.location.reload();
    };
    if (channel) channel.onmessage = function (event) { if (event.data === "signed-in") reload(); };
    window.addEventListener("storage", function (event) { if (event.key === "dam-picker-signed-in") reload(); });
    signin.querySelector("[data-signin-open]").addEventListener("click", function () {
      signin.querySelector("[data-signin-wait]").hidden = false;
    });
    signin.querySelector("[data-reload]").addEventListener("click", reload);
  }

  var root = document.querySelector("[data-picker]");
  if (!root) return;
  var origin = root.dataset.origin;
  var target = window.opener || (window.parent !== window ? window.parent : null);
  var bar = document.querySelector("[data-picker-bar]");
  var insert = bar.querySelector("[data-insert]");
  var cancel = bar.querySelector("[data-cancel]");
  var clear = bar.querySelector("[data-clear]");
  var preset = bar.querySelector("[data-preset]");
  var chosenText = bar.querySelector("[data-chosen]");
  var status = bar.querySelector("[data-status]");

  var post = function (message) {
    if (origin && target) target.postMessage(message, origin);
  };

  // What is ticked survives searching and paging (uid -> title), for this tab and this site only.
  var storeKey = "dam-picker:" + origin;
  var chosen = {};
  try { chosen = JSON.parse(window.sessionStorage.getItem(storeKey) || "{}") || {}; } catch (e) { chosen = {}; }
  var save = function () {
    try { window.sessionStorage.setItem(storeKey, JSON.stringify(chosen)); } catch (e) { /* private mode */ }
  };

  var boxes = function () { return root.querySelectorAll("input.pick"); };
  var say = function (text, bad) {
    status.textContent = text || "";
    status.classList.toggle("bad", !!bad);
  };
  var refresh = function () {
    var count = Object.keys(chosen).length;
    chosenText.textContent = count === 0 ? "Nothing chosen" : count === 1 ? "1 asset chosen" : count + " assets chosen";
    insert.disabled = count === 0 || !preset;
    clear.hidden = count === 0;
  };

  boxes().forEach(function (box) {
    box.checked = Object.prototype.hasOwnProperty.call(chosen, box.value);
    box.addEventListener("change", function () {
      if (box.checked) chosen[box.value] = box.dataset.title; else delete chosen[box.value];
      save();
      say("");
      refresh();
    });
  });

  var reset = function () {
    chosen = {};
    save();
    boxes().forEach(function (box) { box.checked = false; });
    refresh();
  };
  clear.addEventListener("click", reset);

  var finish = function () {
    // A popup is done once it has answered; an iframe stays until the page that holds it removes it.
    if (window.opener) window.setTimeout(function () { window.close(); }, 50);
  };

  insert.addEventListener("click", function () {
    var uids = Object.keys(chosen);
    if (!uids.length || !preset) return;
    insert.disabled = true;
    say("Preparing…");
    fetch(root.dataset.pickUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify({ origin: origin, uids: uids, preset: preset.value })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; },
                                  function () { return { ok: false, body: { detail: "The DAM did not answer (" + response.status + ")." } }; });
    }).then(function (answer) {
      if (!answer.ok) {
        say(answer.body.detail || "That did not work.", true);
        refresh();
        return;
      }
      post(answer.body);
      var count = answer.body.assets.length;
      reset();
      say(count === 1 ? "1 asset inserted." : count + " assets inserted.");
      finish();
    }, function () {
      say("The DAM could not be reached; try again.", true);
      refresh();
    });
  });

  cancel.addEventListener("click", function () {
    post({ type: "dam:cancel" });
    reset();
    say("Cancelled.");
    finish();
  });

  // Filters beside the results on a wide window, folded away above them on a narrow one.
  var facets = document.querySelector("[data-facets]");
  if (facets && window.matchMedia("(min-width: 760px)").matches) facets.open = true;

  refresh();
  post({ type: "dam:ready" });
})();

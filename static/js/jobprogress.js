/* A background job's page: every few seconds fetch the part marked data-job-poll (its URL) and put the new
   one in its place. When the job has ended (the new part carries no data-job-poll) the page is loaded once
   more, so its heading and title say how it ended too. */
(function () {
  "use strict";
  var DELAY = 2000;
  var poll = function () {
    var part = document.querySelector("[data-job-poll]");
    if (!part) return;
    fetch(part.getAttribute("data-job-poll"), {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { window.setTimeout(poll, DELAY * 3); return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        if (!holder.querySelector("[data-job-poll]")) { window.location.reload(); return; }
        part.replaceWith.apply(part, Array.prototype.slice.call(holder.childNodes));
        window.setTimeout(poll, DELAY);
      })
      .catch(function () { window.setTimeout(poll, DELAY * 3); });  // the server restarting: try again later
  };
  window.setTimeout(poll, DELAY);
})();

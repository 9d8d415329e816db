/* Batch upload: drag and drop or pick many files; each goes in its own request to the batch API, with its
   own progress bar and then its outcome. Before the upload starts a file can be removed; while it runs, one
   can be cancelled; a file that failed on its way can be sent again. The summary counts files and bytes
   ("4 of 10 files, 1.2 of 3.0 MB"). What the form says under "Describe every file" is sent once, with the
   batch, and the server applies it to every file. Plain JS, no build step. Without JS the form posts
   normally and the server shows the batch report. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = form.querySelector("input[type=file]");
  var drop = document.getElementById("dropzone");
  var rowsEl = document.getElementById("upload-rows");
  var panel = document.getElementById("upload-progress");
  var summaryEl = document.getElementById("upload-summary");
  var overallEl = document.getElementById("upload-overall");
  var overallBar = document.getElementById("upload-overall-bar");
  var batchLink = document.getElementById("batch-link");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var CONCURRENCY = 2;
  var jobs = [];      // every file shown: {file, row, bar, state: waiting|sending|done|failed|cancelled|removed}
  var counts = {};

  function human(bytes) {
    var units = ["B", "KB", "MB", "GB"], i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
    return (i ? bytes.toFixed(1) : bytes) + " " + units[i];
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(label, onClick, name) {
    var b = el("button", {type: "button", "class": "btn small", "aria-label": label + " " + name}, label);
    b.addEventListener("click", onClick);
    return b;
  }

  function setControls(job) {
    var cell = job.row.querySelector(".controls");
    cell.textContent = "";
    if (job.state === "waiting") cell.appendChild(button("Remove", function () { remove(job); }, job.file.name));
    else if (job.state === "sending") cell.appendChild(button("Cancel", function () { cancel(job); }, job.file.name));
    else if (job.state === "failed" || job.state === "cancelled" || job.state === "rejected") {
      cell.appendChild(button("Retry", function () { retry(job); }, job.file.name));
    }
  }

  function status(job, text) { job.row.querySelector(".outcome").textContent = text; }

  function addFiles(list) {
    for (var i = 0; i < list.length; i++) {
      var file = list[i];
      var row = el("tr", {"class": "pending"});
      row.appendChild(el("td", {}, file.name));
      row.appendChild(el("td", {"class": "small"}, human(file.size)));
      var bar = el("progress", {max: "100", value: "0", "aria-label": "Sent of " + file.name});
      var cell = el("td"); cell.appendChild(bar); row.appendChild(cell);
      row.appendChild(el("td", {"class": "outcome"}, "waiting"));
      row.appendChild(el("td", {"class": "controls"}));
      rowsEl.appendChild(row);
      var job = {file: file, row: row, bar: bar, state: "waiting", sent: 0};
      jobs.push(job);
      setControls(job);
    }
    panel.hidden = !jobs.some(function (j) { return j.state !== "removed"; });
    updateSummary();
  }

  function remove(job) {
    job.state = "removed";
    job.row.remove();
    panel.hidden = !jobs.some(function (j) { return j.state !== "removed"; });
    updateSummary();
  }

  function cancel(job) {
    if (job.xhr) job.xhr.abort();  // onabort marks it cancelled and frees its worker for the next file
  }

  function retry(job) {
    (job.items || []).forEach(function (item) { counts[item.outcome] -= 1; });  // its new outcome replaces them
    job.items = null;
    job.state = "waiting";
    job.sent = 0;
    job.bar.value = 0;
    job.row.className = "pending";
    status(job, "waiting");
    setControls(job);
    if (job.batch) run(job.batch, [job]);  // back into the batch it was sent to, with the same description
    updateSummary();
  }

  function badge(outcome, label) {
    return el("span", {"class": "badge outcome-" + outcome}, label);
  }

  function link(asset) {
    return el("a", {href: asset.url}, asset.title);
  }

  function showItems(job, items) {
    var cell = job.row.querySelector(".outcome");
    cell.textContent = "";
    items.forEach(function (item) {
      counts[item.outcome] = (counts[item.outcome] || 0) + 1;
      var line = el("div");
      if (item.entry) line.appendChild(el("span", {"class": "entry small", title: item.entry}, item.entry + ": "));
      if (item.outcome === "created" || item.outcome === "new_version") {
        line.appendChild(badge(item.outcome, item.outcome === "created" ? "created" : "new revision"));
        line.appendChild(document.createTextNode(" "));
        line.appendChild(link(item.asset));
        if (item.reason) line.appendChild(el("div", {"class": "reason small"}, item.reason));
      } else if (item.outcome === "duplicate") {
        line.appendChild(badge("duplicate", "duplicate"));
        line.appendChild(document.createTextNode(" of "));
        if (item.duplicate_of) line.appendChild(link(item.duplicate_of));
        else line.appendChild(document.createTextNode("an asset you cannot see"));
      } else {
        line.appendChild(badge("rejected", "rejected"));
        line.appendChild(el("span", {"class": "reason"}, " " + item.reason));
      }
      cell.appendChild(line);
    });
    job.items = items;
    // Refused (a server error, a type not accepted): it may be sent again, say once the server is back.
    var refused = items.length && items.every(function (i) { return i.outcome === "rejected"; });
    job.state = refused ? "rejected" : "done";
    job.row.className = refused ? "rejected" : "done";
  }

  function unpackingLater(job, batch, unpacking) {
    // A large archive: stored, and unpacked by background jobs; the batch report shows how far they got.
    var cell = job.row.querySelector(".outcome");
    cell.textContent = "";
    cell.appendChild(badge("pending", "unpacking"));
    cell.appendChild(document.createTextNode(" " + unpacking.entries + " files, in the background: "));
    cell.appendChild(el("a", {href: batch.url}, "follow it on the batch report"));
    job.state = "done";
    job.row.className = "done";
  }

  function failed(job, message, state) {
    job.state = state || "failed";
    var cell = job.row.querySelector(".outcome");
    cell.textContent = "";
    cell.appendChild(badge("rejected", job.state === "cancelled" ? "cancelled" : "not sent"));
    cell.appendChild(el("span", {"class": "reason"}, " " + message));
    job.row.className = "rejected";
  }

  function updateSummary() {
    var shown = jobs.filter(function (j) { return j.state !== "removed"; });
    var finished = shown.filter(function (j) { return j.state === "done"; }).length;
    var total = shown.reduce(function (n, j) { return n + j.file.size; }, 0);
    var sent = shown.reduce(function (n, j) { return n + (j.state === "done" ? j.file.size : j.sent); }, 0);
    overallEl.textContent = finished + " of " + shown.length + " file" + (shown.length === 1 ? "" : "s") +
      ", " + human(sent) + " of " + human(total);
    overallBar.max = total || 1;
    overallBar.value = sent;
    var parts = [];
    [["created", "created"], ["new_version", "new revisions"], ["duplicate", "duplicates"], ["rejected", "rejected"]]
      .forEach(function (k) { if (counts[k[0]]) parts.push(counts[k[0]] + " " + k[1]); });
    var failedCount = shown.filter(function (j) { return j.state === "failed" || j.state === "cancelled"; }).length;
    if (failedCount) parts.push(failedCount + " not sent");
    summaryEl.textContent = parts.join(" · ");
  }

  function send(batch, job) {
    return new Promise(function (resolve) {
      if (job.state !== "waiting") { resolve(); return; }  // removed or cancelled before its turn
      var data = new FormData();
      data.append("file", job.file, job.file.name);
      if (batch.single && batch.single.title) data.append("title", batch.single.title);
      var xhr = new XMLHttpRequest();
      job.xhr = xhr; job.batch = batch; job.state = "sending"; setControls(job);
      xhr.open("POST", batch.files_url);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      status(job, "uploading…");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          job.bar.value = Math.round(100 * e.loaded / e.total);
          job.sent = Math.min(job.file.size, e.loaded);
          updateSummary();
        }
      };
      xhr.upload.onload = function () { job.bar.value = 100; status(job, "checking…"); };
      function end() { job.xhr = null; setControls(job); updateSummary(); resolve(); }
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        if (xhr.status === 201 && body) showItems(job, body.items);
        else if (xhr.status === 202 && body && body.unpacking) unpackingLater(job, batch, body.unpacking);
        else failed(job, (body && body.detail) || "The server could not take this file (" + xhr.status + "); try again.");
        end();
      };
      xhr.onerror = function () { failed(job, "The connection was lost; try this file again."); end(); };
      xhr.onabort = function () { job.sent = 0; failed(job, "You cancelled it.", "cancelled"); end(); };
      xhr.send(data);
    });
  }

  function run(batch, list) {
    var next = 0;
    function worker() {
      if (next >= list.length) return Promise.resolve();
      return send(batch, list[next++]).then(worker);
    }
    var workers = [];
    for (var i = 0; i < CONCURRENCY; i++) workers.push(worker());
    return Promise.all(workers);
  }

  function value(name) {
    var field = form.querySelector("[name='" + name + "']");
    return field ? field.value.trim() : "";
  }

  function description(many) {
    // "Describe every file": sent once with the batch (ingest.describe applies it to each file).
    var body = {
      collection: value("collection") || undefined,
      on_duplicate: (form.querySelector("[name=on_duplicate]:checked") || {}).value || "report",
      terms: Array.prototype.map.call(form.querySelectorAll("input[name=terms]"), function (i) { return i.value; }),
      metadata: {}
    };
    ["description", "campaign", "licence", "rights_holder", "usage_terms"].forEach(function (k) {
      if (value(k)) body[k] = value(k);
    });
    if (many && value("title")) body.title_pattern = value("title");
    Array.prototype.forEach.call(form.querySelectorAll("[name^=meta__]"), function (f) {
      if (f.value.trim()) body.metadata[f.name.slice(6)] = f.value.trim();
    });
    return body;
  }

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".js-error"), function (p) { p.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll(".field.has-error"), function (f) { f.classList.remove("has-error"); });
  }

  function showErrors(errors) {
    // Beside the fields they are about; the description is the batch's, so nothing was sent.
    var first = null;
    Object.keys(errors || {}).forEach(function (key) {
      var name = key === "title_pattern" ? "title" : key.indexOf("metadata.") === 0 ? "meta__" + key.slice(9) : key;
      var field = form.querySelector("[name='" + name + "']");
      var box = field ? field.closest(".field") : null;
      var message = el("p", {"class": "error js-error"}, [].concat(errors[key]).join(" "));
      if (box) { box.classList.add("has-error"); box.appendChild(message); first = first || field; }
      else { form.insertBefore(message, form.firstChild); }
    });
    if (first) first.focus();
  }

  function start() {
    var waiting = jobs.filter(function (j) { return j.state === "waiting" && !j.batch; });
    if (!waiting.length) return;
    var many = waiting.length > 1;
    clearErrors();
    form.querySelector("#upload-start").disabled = true;
    fetch(form.dataset.batchesUrl, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(description(many)),
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"}
    }).then(function (r) {
      return r.json().then(function (b) {
        if (!r.ok) { var e = new Error(b.detail || "The upload could not start."); e.errors = b.errors; throw e; }
        return b;
      });
    }).then(function (batch) {
      batch.files_url = form.dataset.batchesUrl + batch.id + "/files/";
      batch.single = many ? null : {title: value("title")};
      batchLink.hidden = false;
      batchLink.querySelector("a").href = batch.url;
      return run(batch, waiting);
    }).catch(function (err) {
      if (err.errors && Object.keys(err.errors).length) showErrors(err.errors);
      else waiting.forEach(function (job) { failed(job, err.message); setControls(job); });
      updateSummary();
    }).then(function () {
      form.querySelector("#upload-start").disabled = false;
      input.value = "";
    });
  }

  input.addEventListener("change", function () { addFiles(input.files); });
  ["dragenter", "dragover"].forEach(function (type) {
    drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  // Dropped files wait in the list like chosen ones: the uploader can still remove some and describe them.
  drop.addEventListener("drop", function (e) { addFiles(e.dataTransfer.files); });
  drop.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") input.click(); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    start();
  });
})();

/* Batch upload: drag and drop or pick many files; each goes in its own request to the batch API,
   with its own progress bar and then its outcome. Plain JS, no build step. Without JS the form
   posts normally and the server shows the batch report. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = form.querySelector("input[type=file]");
  var drop = document.getElementById("dropzone");
  var rowsEl = document.getElementById("upload-rows");
  var panel = document.getElementById("upload-progress");
  var summaryEl = document.getElementById("upload-summary");
  var batchLink = document.getElementById("batch-link");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var CONCURRENCY = 2;
  var queue = [];
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

  function addFiles(list) {
    for (var i = 0; i < list.length; i++) {
      var file = list[i];
      var row = el("tr", {"class": "pending"});
      row.appendChild(el("td", {}, file.name));
      row.appendChild(el("td", {"class": "small"}, human(file.size)));
      var bar = el("progress", {max: "100", value: "0"});
      var cell = el("td"); cell.appendChild(bar); row.appendChild(cell);
      row.appendChild(el("td", {"class": "outcome"}, "waiting"));
      rowsEl.appendChild(row);
      queue.push({file: file, row: row, bar: bar});
    }
    panel.hidden = queue.length === 0 && rowsEl.children.length === 0;
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
    job.row.className = items.length && items.every(function (i) { return i.outcome === "rejected"; })
      ? "rejected" : "done";
  }

  function unpackingLater(job, batch, unpacking) {
    // A large archive: stored, and unpacked by background jobs; the batch report shows how far they got.
    var cell = job.row.querySelector(".outcome");
    cell.textContent = "";
    cell.appendChild(badge("pending", "unpacking"));
    cell.appendChild(document.createTextNode(" " + unpacking.entries + " files, in the background: "));
    cell.appendChild(el("a", {href: batch.url}, "follow it on the batch report"));
    job.row.className = "done";
  }

  function failed(job, message) {
    counts.rejected = (counts.rejected || 0) + 1;
    var cell = job.row.querySelector(".outcome");
    cell.textContent = "";
    cell.appendChild(badge("rejected", "rejected"));
    cell.appendChild(el("span", {"class": "reason"}, " " + message));
    job.row.className = "rejected";
  }

  function updateSummary() {
    var parts = [];
    ["created", "new_version", "duplicate", "rejected"].forEach(function (k) {
      if (counts[k]) parts.push(counts[k] + " " + k.replace("_", " "));
    });
    summaryEl.textContent = parts.join(" · ");
  }

  function send(batch, job, fields) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("file", job.file, job.file.name);
      Object.keys(fields).forEach(function (k) { if (fields[k]) data.append(k, fields[k]); });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", batch.files_url);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      job.row.querySelector(".outcome").textContent = "uploading…";
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) job.bar.value = Math.round(100 * e.loaded / e.total);
      };
      xhr.upload.onload = function () { job.bar.value = 100; job.row.querySelector(".outcome").textContent = "checking…"; };
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        if (xhr.status === 201 && body) showItems(job, body.items);
        else if (xhr.status === 202 && body && body.unpacking) unpackingLater(job, batch, body.unpacking);
        else failed(job, (body && (body.detail || JSON.stringify(body.errors))) || ("HTTP " + xhr.status));
        updateSummary(); resolve();
      };
      xhr.onerror = function () { failed(job, "the connection was lost; try this file again"); updateSummary(); resolve(); };
      xhr.send(data);
    });
  }

  function start() {
    var jobs = queue.splice(0);
    if (!jobs.length) return;
    var body = JSON.stringify({
      collection: form.querySelector("[name=collection]").value || undefined,
      on_duplicate: (form.querySelector("[name=on_duplicate]:checked") || {}).value || "report"
    });
    var single = jobs.length === 1 ? {
      title: form.querySelector("[name=title]").value,
      description: form.querySelector("[name=description]").value
    } : {};
    form.querySelector("#upload-start").disabled = true;
    fetch(form.dataset.batchesUrl, {
      method: "POST", credentials: "same-origin", body: body,
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"}
    }).then(function (r) {
      return r.json().then(function (b) { if (!r.ok) throw new Error(b.detail || "could not start the batch"); return b; });
    }).then(function (batch) {
      batch.files_url = form.dataset.batchesUrl + batch.id + "/files/";
      batchLink.hidden = false;
      batchLink.querySelector("a").href = batch.url;
      var next = 0;
      function worker() {
        if (next >= jobs.length) return Promise.resolve();
        return send(batch, jobs[next++], single).then(worker);
      }
      var workers = [];
      for (var i = 0; i < CONCURRENCY; i++) workers.push(worker());
      return Promise.all(workers);
    }).catch(function (err) {
      jobs.forEach(function (job) { failed(job, err.message); });
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
  drop.addEventListener("drop", function (e) { addFiles(e.dataTransfer.files); start(); });
  drop.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") input.click(); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    start();
  });
})();

/* The rule form (templates/workflows/automation/form.html), made quicker in the page. Without this script the
   same buttons submit the form, which comes back rebuilt and unsaved (workflows/automation/builder.py).
   - The trigger's own fields show only for their trigger (days for rights, the schedule's for "On a schedule").
   - Steps: choosing an action swaps in its fields, from an empty row per action kept in <template>s;
     add, remove, up and down work on the rows in place. The server reads the rows in page order. */
(function () {
  "use strict";
  var form = document.querySelector("[data-rule-form]");
  if (!form) return;
  var list = form.querySelector("[data-step-list]");
  form.classList.add("js-steps");

  // --- the trigger's own fields -----------------------------------------------------------------
  var trigger = form.querySelector("select[name=trigger]");
  var every = form.querySelector("select[name=every]");
  function showTriggerFields() {
    form.querySelectorAll("[data-for-trigger]").forEach(function (box) {
      box.hidden = box.dataset.forTrigger !== trigger.value;
    });
    form.querySelectorAll("[data-for-every]").forEach(function (box) {
      box.hidden = box.dataset.forEvery.split(" ").indexOf(every.value) < 0;
    });
  }
  if (trigger && every) {
    trigger.addEventListener("change", showTriggerFields);
    every.addEventListener("change", showTriggerFields);
    showTriggerFields();
  }

  // --- the steps ---------------------------------------------------------------------------------
  var counter = 0;
  function newId() { counter += 1; return "n" + Date.now().toString(36) + counter; }

  // An empty row for `action` ("" for none yet), its names and ids made its own.
  function rowFor(action, rid) {
    var template = form.querySelector('template[data-step-template="' + action + '"]');
    var row = document.importNode(template.content, true).firstElementChild;
    [row].concat(Array.prototype.slice.call(row.querySelectorAll("*"))).forEach(function (node) {
      Array.prototype.forEach.call(node.attributes, function (attr) {
        if (attr.value.indexOf("__rid__") >= 0) node.setAttribute(attr.name, attr.value.split("__rid__").join(rid));
      });
    });
    return row;
  }

  form.addEventListener("change", function (event) {
    var select = event.target.closest("select[name$='-type']");
    var row = select && select.closest("[data-step]");
    if (!row || !list.contains(row)) return;
    // The new action's fields replace the old ones (a new row, same id, so the order is kept).
    var fresh = rowFor(select.value, row.dataset.step);
    row.replaceWith(fresh);
    var first = fresh.querySelector("[data-step-params] input, [data-step-params] select, [data-step-params] textarea");
    (first || fresh.querySelector("select")).focus();
  });

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var row = button.closest("[data-step]");
    if (button.hasAttribute("data-add-step")) {
      event.preventDefault();
      var added = rowFor("", newId());
      list.appendChild(added);
      added.querySelector("select").focus();
    } else if (row && button.hasAttribute("data-remove")) {
      event.preventDefault();
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      if (next) next.querySelector("select").focus();
    } else if (row && button.dataset.move) {
      event.preventDefault();
      if (button.dataset.move === "up" && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
      } else if (button.dataset.move === "down" && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
      }
      button.focus();
    }
  });
})();

/* Bulk editor: typing a value for a field whose choice is still "Leave as is" switches it to "Set to", and
   "Leave as is" or "Clear" dims the value box, so what will happen is what the page shows. */
(function () {
  "use strict";
  document.querySelectorAll("[data-bulk-row]").forEach(function (row) {
    var choice = row.querySelector("[data-bulk-do]");
    var value = row.querySelector(".bulk-pair > :not([data-bulk-do])");
    if (!choice || !value) return;
    var show = function () { row.classList.toggle("bulk-idle", choice.value === "" || choice.value === "clear"); };
    value.addEventListener("input", function () {
      if (choice.value === "" && value.value !== "") { choice.value = "set"; show(); }
    });
    choice.addEventListener("change", show);
    show();
  });
})();

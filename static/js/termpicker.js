/* The term picker (templates/taxonomy/widgets/term_picker.html): type any label, synonym or translation and
   choose a term from the taxonomy's autocomplete. One script for every form that picks terms; it may be
   included several times on a page, and sets up each picker once.

   An ARIA 1.2 combobox: the text box owns a listbox; ArrowDown/ArrowUp move through the suggestions
   (aria-activedescendant, so focus stays in the box), Enter chooses (the first suggestion when none is
   highlighted), Escape closes the list (a second Escape clears the text), Tab leaves it.
   [data-multiple]: chosen terms become removable chips, each with a hidden input named data-name.
   Otherwise: the chosen term's id goes in the one hidden input; typing again empties it, so the server then
   reads the typed text (<name>_text) and looks the term up by that label. */
(function () {
  "use strict";

  var counter = 0;

  function setup(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    var input = box.querySelector("input[role=combobox]") || box.querySelector("input[type=search]"),
        list = box.querySelector("ul"), multiple = box.hasAttribute("data-multiple"),
        chips = box.querySelector(".chips"), status = box.querySelector("[data-status]"),
        pathNote = box.querySelector("[data-path]"),
        hidden = multiple ? null : box.querySelector("input[type=hidden]"),
        timer = null, results = [], active = -1, asked = 0;
    if (!input || !list) return;
    if (!list.id) list.id = "termpicker-list-" + (++counter);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    list.setAttribute("role", "listbox");

    function say(text) { if (status) status.textContent = text; }

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (li, i) {
        li.classList.toggle("on", i === active);
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function chosenAlready(id) {
      return !!(chips && chips.querySelector('input[type=hidden][value="' + id + '"]'));
    }

    function addChip(t) {
      if (chosenAlready(t.id)) { say(t.label + " is already chosen."); return; }
      var chip = document.createElement("span"), hiddenInput = document.createElement("input"),
          remove = document.createElement("button");
      chip.className = "chip"; chip.title = t.path;
      chip.appendChild(document.createTextNode(t.label));
      hiddenInput.type = "hidden"; hiddenInput.name = box.dataset.name; hiddenInput.value = t.id;
      remove.type = "button"; remove.textContent = "×"; remove.setAttribute("aria-label", "Remove " + t.label);
      chip.appendChild(hiddenInput); chip.appendChild(remove); chips.appendChild(chip);
      say(t.label + " added.");
    }

    function choose(t) {
      if (multiple) {
        addChip(t);
        input.value = "";
      } else {
        hidden.value = t.id;
        input.value = t.label;
        input.setCustomValidity("");
        if (pathNote) pathNote.textContent = t.path ? t.path + " · " + t.vocabulary : t.vocabulary;
        say(t.label + " chosen.");
      }
      close();
      input.focus();
      box.dispatchEvent(new CustomEvent("termpicker:change", { bubbles: true, detail: t }));
    }

    function show(found) {
      results = found;
      list.innerHTML = "";
      found.forEach(function (t, i) {
        var li = document.createElement("li"), strong = document.createElement("strong"),
            path = document.createElement("span");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        strong.textContent = t.label; li.appendChild(strong);
        if (t.matched && t.matched !== t.label) li.appendChild(document.createTextNode(" (" + t.matched + ")"));
        path.className = "help"; path.textContent = (t.path ? t.path + " · " : "") + t.vocabulary;
        li.appendChild(path);
        // mousedown, not click: choosing must happen before the box loses focus and closes the list.
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(t); });
        list.appendChild(li);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list.hidden = !found.length;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      say(found.length ? found.length + (found.length === 1 ? " term" : " terms") + " found; arrow keys to move, Enter to choose."
                       : "No term has that label.");
    }

    function ask() {
      var text = input.value.trim(), ticket = ++asked;
      if (!text) { close(); return; }
      var url = box.dataset.url + "?q=" + encodeURIComponent(text) +
                (box.dataset.vocabulary ? "&vocabulary=" + encodeURIComponent(box.dataset.vocabulary) : "");
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (ticket === asked) show(data.results || []); },
              function () { if (ticket === asked) say("Suggestions could not be loaded."); });
    }

    input.addEventListener("input", function () {
      if (hidden) { hidden.value = ""; if (pathNote) pathNote.textContent = ""; }
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (e) {
      var open = !list.hidden && results.length;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (!open) { ask(); return; }
        highlight(active === -1 ? (e.key === "ArrowDown" ? 0 : -1) : active + (e.key === "ArrowDown" ? 1 : -1));
      } else if (e.key === "Enter") {
        if (open) { e.preventDefault(); choose(results[active === -1 ? 0 : active]); }
        else if (multiple && input.value.trim()) e.preventDefault();  // a half-typed chip never submits the form
      } else if (e.key === "Escape") {
        if (open) { e.preventDefault(); close(); }
        else if (input.value) { e.preventDefault(); input.value = ""; if (hidden) hidden.value = ""; }
      } else if (e.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
    if (chips) {
      chips.addEventListener("click", function (e) {
        if (e.target.tagName !== "BUTTON") return;
        var label = e.target.parentNode.firstChild.textContent;
        e.target.parentNode.remove();
        say(label + " removed.");
        input.focus();
      });
    }
  }

  function init() { document.querySelectorAll("[data-term-picker]").forEach(setup); }
  window.damTermPickers = init;  // for scripts that add pickers to the page later
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();

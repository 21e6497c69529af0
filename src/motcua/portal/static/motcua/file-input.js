// File inputs in Vietnamese whatever the browser's language (many phones say "Choose File / No file chosen"): a
// label styled as a button, "Chọn tệp", beside the names of the files chosen. The input itself stays in the form,
// visually hidden but focusable and named by its own label; forms, sending.js and the tests use it as before.
// Without this script the browser's own input shows and works the same. Inputs arriving by htmx are done too.
(function () {
  function names(input) {
    var chosen = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    return chosen.length ? chosen.join(", ") : "Chưa chọn tệp";
  }
  function enhance(input) {
    if (!input.id || input.dataset.picker) { return; }
    input.dataset.picker = "1";
    var box = document.createElement("span"), button = document.createElement("label"),
      chosen = document.createElement("span");
    box.className = "file-pick";
    button.htmlFor = input.id;
    button.className = "btn sec";
    button.textContent = "Chọn tệp";
    chosen.className = "hint";
    chosen.textContent = names(input);
    chosen.setAttribute("aria-live", "polite");
    input.parentNode.insertBefore(box, input);
    input.classList.add("sr");
    box.appendChild(input);
    box.appendChild(button);
    box.appendChild(chosen);
    function show() { chosen.textContent = names(input); }
    input.addEventListener("change", show);
    window.addEventListener("pageshow", show); // back from the history: the browser may have kept the files
  }
  function within(root) {
    if (root.matches && root.matches("input[type=file]")) { enhance(root); }
    if (root.querySelectorAll) { root.querySelectorAll("input[type=file]").forEach(enhance); }
  }
  within(document);
  document.addEventListener("htmx:load", function (e) { within(e.target); });
})();

// A table's box (.scroll) wider than the screen takes the focus, so arrow keys pan it (WCAG 2.1.1), as a region named
// by the caption, else the heading before it; one that fits is no tab stop. Re-checked on resize and htmx swaps.
// Without JavaScript a box keeps what its template gives it (a unit's months: tabindex, role, aria-label).
(function () {
  var HEADINGS = "h1,h2,h3,h4,h5,h6";
  function name(box) {
    var caption = box.querySelector("caption"), before = null;
    if (caption && caption.textContent.trim()) { return caption.textContent; }
    document.querySelectorAll(HEADINGS).forEach(function (h) {
      if (h.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING) { before = h; }
    });
    return before ? before.textContent : "Bảng (cuộn ngang)";
  }
  function check(box) {
    if (box.dataset.scrollName === undefined) { box.dataset.scrollName = box.getAttribute("aria-label") || ""; }
    if (box.scrollWidth > box.clientWidth) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", (box.dataset.scrollName || name(box)).replace(/\s+/g, " ").trim());
    } else {
      ["tabindex", "role", "aria-label"].forEach(function (a) { box.removeAttribute(a); });
    }
  }
  var watch = window.ResizeObserver && new ResizeObserver(function (seen) {
    seen.forEach(function (s) { check(s.target.closest(".scroll")); });
  });
  function within(root) {
    if (!root.querySelectorAll) { return; }
    var boxes = Array.prototype.slice.call(root.querySelectorAll(".scroll"));
    if (root.matches && root.matches(".scroll")) { boxes.push(root); }
    boxes.forEach(function (box) {
      check(box);
      if (watch) { watch.observe(box); if (box.firstElementChild) { watch.observe(box.firstElementChild); } }
    });
  }
  within(document);
  if (!watch) { window.addEventListener("resize", function () { within(document); }); }
  document.addEventListener("htmx:load", function (e) { within(e.target); });
})();

// Buttons marked data-print open the browser's print dialog (no inline handlers: the CSP forbids them).
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) window.print();
});

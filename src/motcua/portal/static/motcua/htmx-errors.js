// Validation answers (403/409/422) carry the form with its Vietnamese messages: htmx shows them in place.
document.addEventListener("htmx:beforeSwap", function (e) {
  var s = e.detail.xhr.status;
  if (s === 403 || s === 409 || s === 422) { e.detail.shouldSwap = true; e.detail.isError = false; }
});

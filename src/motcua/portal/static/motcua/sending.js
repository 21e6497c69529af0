// A long form sent over a slow link (a citizen's files on 3G: about 20 s per MB) says that it is being sent, and
// how much, instead of looking frozen; a second tap while it is on its way sends nothing more. No inline script
// (the CSP forbids them): <form data-sending="…" data-saving="…"> with a <p data-sending-status> inside.
(function () {
  function size(bytes) {
    var mb = bytes / 1048576;
    return mb >= 0.1 ? mb.toFixed(1).replace(".", ",") + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }
  document.querySelectorAll("form[data-sending]").forEach(function (form) {
    var status = form.querySelector("[data-sending-status]");
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      var files = 0, bytes = 0;
      form.querySelectorAll("input[type=file]").forEach(function (input) {
        Array.prototype.forEach.call(input.files || [], function (f) { files += 1; bytes += f.size; });
      });
      var draft = event.submitter && event.submitter.value === "draft";
      var text = (draft ? form.dataset.saving : form.dataset.sending) || form.dataset.sending;
      if (files) { text += " kèm " + files + " tệp (" + size(bytes) + ")"; }
      text += ". " + (files ? "Trên mạng chậm, việc tải tệp có thể mất vài phút; " : "") +
        "vui lòng giữ nguyên trang này.";
      if (status) { status.textContent = text; status.hidden = false; }
      form.setAttribute("aria-busy", "true");
    });
  });
  // Back to the page from the browser's history (the send was stopped, or the answer was an error): send again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      delete form.dataset.sent;
      form.removeAttribute("aria-busy");
    });
  });
})();

// Progress of a background build (statistics reports, digital-transformation papers), without inline
// scripts (the CSP forbids them): <progress data-poll="URL" data-every="ms">, status in #trang-thai,
// the download link in #tai-ve is shown once the file is ready, the «Tạo lại» form #tao-lai once it failed.
(function () {
  var bar = document.querySelector("progress[data-poll]");
  if (!bar) return;
  var status = document.getElementById("trang-thai"), link = document.getElementById("tai-ve");
  var again = document.getElementById("tao-lai");
  var every = Number(bar.dataset.every) || 1500;
  (function poll() {
    fetch(bar.dataset.poll, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (j) {
      bar.value = j.progress;
      status.textContent = j.message || j.state_label || j.state;
      if (j.download) { link.hidden = false; }
      else if (j.state === "failed") { if (again) again.hidden = false; }
      else { setTimeout(poll, every); }
    });
  })();
})();

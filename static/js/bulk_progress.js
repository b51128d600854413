// Confirm in bulk: follow the job's progress, then reload the page to show its result.
(function () {
  "use strict";
  var box = document.getElementById("bulk-progress");
  if (!box) return;
  var bar = box.querySelector(".progress");
  var fill = box.querySelector(".progress-bar");
  var label = document.getElementById("bulk-progress-label");
  function show(percent) {
    fill.style.width = percent + "%";
    bar.setAttribute("aria-valuenow", String(percent));
  }
  if (fill.dataset.percent && !fill.classList.contains("w-100")) show(fill.dataset.percent);
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        if (!job.running) { window.location.reload(); return; }
        if (job.state === "validating") {
          show(job.percent);
          fill.textContent = job.percent + "%";
          label.textContent = label.textContent.replace(/\d[\d,.]*(\D+)\d[\d,.]*/, job.checked + "$1" + job.total);
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();

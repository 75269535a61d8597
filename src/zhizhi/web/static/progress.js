// The progress line of a job this page started: ask /api/progress/ID every second until the job is done or failed.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.state !== "running") { return; }
  var line = document.getElementById("job-line");
  var link = document.getElementById("job-link");
  function poll() {
    fetch("/api/progress/" + encodeURIComponent(box.dataset.job), { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        line.textContent = job.line;
        box.dataset.state = job.state;
        if (job.state === "running") { setTimeout(poll, 1000); return; }
        box.className = (job.state === "failed" ? "error" : "notice") + " progress-line";
        if (job.link) { link.href = job.link; link.hidden = false; }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 500);
})();

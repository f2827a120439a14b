// A job's page (facilitator/templates/facilitator/job.html): follow its progress, offer its file.
"use strict";
(function () {
  const page = document.getElementById("job");
  if (!page) return;
  const bar = document.getElementById("job-progress");
  const status = document.getElementById("job-status");
  const file = document.getElementById("job-file");

  const teams = (n) => `${n} team${n === 1 ? "" : "s"}`;

  function show(job) {
    bar.max = job.total || 1;
    bar.value = job.done;
    bar.textContent = `${job.done} of ${job.total}`;
    if (job.state === "queued") status.textContent = "Waiting to start…";
    else if (job.state === "running") {
      status.textContent = job.total ? `${job.done} of ${teams(job.total)} done…` : "Reading the room…";
    } else if (job.state === "finished") {
      status.textContent = `Ready: ${teams(job.total)}.`;
      const link = file.querySelector("a");
      link.textContent = `Download ${job.filename}`;
      file.hidden = false;
    } else {
      status.textContent = `It failed: ${job.error}. Try again from the console; if it fails again, the server's log says more.`;
    }
    return job.state === "queued" || job.state === "running";
  }

  async function follow() {
    try {
      const reply = await fetch(page.dataset.stateUrl, { headers: { Accept: "application/json" } });
      if (reply.ok && !show(await reply.json())) return;
    } catch (error) {
      status.textContent = "Lost touch with the server; trying again…";
    }
    setTimeout(follow, 1000);
  }
  follow();
})();

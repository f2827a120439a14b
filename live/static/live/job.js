// A job's page (facilitator/templates/facilitator/job.html): follow its progress, offer its file.
"use strict";
(function () {
  const page = document.getElementById("job");
  if (!page) return;
  const bar = document.getElementById("job-progress");
  const status = document.getElementById("job-status");
  const file = document.getElementById("job-file");

  // "teams", or "team" for one
  const counted = (job) => (job.total === 1 ? job.unit.replace(/s$/, "") : job.unit);

  function show(job) {
    bar.max = job.total || 1;
    bar.value = job.done;
    bar.textContent = `${job.done} of ${job.total}`;
    if (job.state === "queued") status.textContent = "Waiting to start…";
    else if (job.state === "running") {
      status.textContent = job.unit && job.total ? `${job.done} of ${job.total} ${counted(job)} done…` : "Working…";
    } else if (job.state === "finished") {
      status.textContent = job.unit ? `Ready: ${job.total} ${counted(job)}.` : "Ready.";
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

/* The facilitator console: run of show, activities and their results, teams and who joined. */
"use strict";

(() => {
  const { el, clear } = BSC;
  const code = document.getElementById("room").dataset.code;
  let state = null;
  const link = BSC.connect("console", code, (s) => { state = s; render(); });
  link.socket.on("room", (shared) => { state = Object.assign({}, state, shared); render(); });
  link.socket.on("presence", (p) => { if (state) { state.presence = Object.assign(state.presence, p); renderTeams(); } });
  link.socket.on("poll_results", (msg) => {
    if (!state || !msg.console) return;
    const activity = state.activities.find((a) => a.id === msg.activity_id);
    if (activity) { activity.results = msg.results; activity.by_team = msg.by_team; renderActivities(); }
  });
  const send = (event, payload) => link.command(event, payload);
  // The worksheets' tab names, from their definitions (written into the page by the server).
  const TABS = Object.fromEntries(JSON.parse(document.getElementById("worksheets").textContent).sheets
    .map((s) => [s.name, s.tab]));

  document.querySelectorAll("[data-send]").forEach((b) => b.addEventListener("click", () => send(b.dataset.send, {})));
  document.getElementById("lock").addEventListener("click", () => send("set_lock", { locked: !state.session.locked }));
  document.getElementById("timer-start").addEventListener("click", () => {
    const minutes = Number(document.getElementById("timer-minutes").value);
    send("start_timer", { seconds: Math.round(minutes * 60) });
  });
  document.getElementById("timer-resume").addEventListener("click", () => send("start_timer", { seconds: 0 }));
  /* The quick-poll form: each setting's field says which kinds take it (from their definitions,
     written into the page by the server); only those are shown and sent. */
  const pollForm = document.getElementById("add-poll");
  const settingFields = pollForm.querySelectorAll("[data-kinds]");
  function showSettings() {
    const type = pollForm.poll_type.value;
    settingFields.forEach((box) => { box.hidden = !box.dataset.kinds.split(" ").includes(type); });
  }
  pollForm.poll_type.addEventListener("change", showSettings);
  showSettings();
  pollForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const payload = { poll_type: pollForm.poll_type.value, prompt: pollForm.prompt.value, title: pollForm.title.value };
    settingFields.forEach((box) => {
      if (box.hidden) return;
      const input = box.querySelector("[name]");
      const value = input.value.trim();
      if (box.dataset.type === "options") payload[input.name] = value.split("\n").map((x) => x.trim()).filter(Boolean);
      else if (box.dataset.type === "whole") { if (value !== "") payload[input.name] = Number(value); }
      else if (value) payload[input.name] = value;
    });
    link.command("add_poll", payload, () => { pollForm.reset(); showSettings(); });
  });
  document.getElementById("add-team").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    send("add_team", { name: form.name.value, organisation: form.organisation.value });
    form.reset();
  });

  function render() {
    if (!state) return;
    BSC.renderAgenda(document.getElementById("agenda"), state.agenda, (item) => send("go_to_item", { item_id: item.id }));
    BSC.runTimer(document.getElementById("timer"), state.timer, state.server_time);
    const lock = document.getElementById("lock");
    lock.setAttribute("aria-pressed", String(state.session.locked));
    lock.textContent = state.session.locked ? "Unlock answers" : "Lock answers";
    renderActivities();
    renderTeams();
    renderProgress();
  }

  function renderActivities() {
    const box = clear(document.getElementById("activities"));
    const current = state.agenda.find((i) => i.current);
    const onScreen = state.activity ? state.activity.id : null;
    const shown = state.activities.filter((a) => current && a.item_id === current.id);
    const rest = state.activities.filter((a) => !shown.includes(a));
    if (!shown.length) box.append(el("p", {}, "No activities in this agenda item."));
    for (const a of shown) box.append(activityCard(a, a.id === onScreen));
    if (rest.length) {
      box.append(el("details", {}, el("summary", {}, `Other activities (${rest.length})`),
        rest.map((a) => activityCard(a, a.id === onScreen))));
    }
  }

  function activityCard(a, onScreen) {
    const id = { activity_id: a.id };
    const buttons = [
      el("button", { type: "button", onclick: () => send("push_activity", onScreen ? { activity_id: null } : id) },
        onScreen ? "Take off phones" : "Push to phones"),
    ];
    if (a.kind === "poll") {
      buttons.push(
        a.state === "open"
          ? el("button", { type: "button", onclick: () => send("close_activity", id) }, "Close poll")
          : el("button", { type: "button", class: "primary", onclick: () => send("open_activity", id) }, a.state === "closed" ? "Reopen poll" : "Open poll"),
        el("button", { type: "button", "aria-pressed": String(a.results_visible),
          onclick: () => send("show_results", { activity_id: a.id, visible: !a.results_visible }) },
          a.results_visible ? "Hide results" : "Reveal results"),
        el("button", { type: "button", onclick: () => { if (confirm("Clear every answer to this poll?")) send("reset_activity", id); } }, "Reset"));
    }
    const card = el("article", { class: "card" + (onScreen ? " on-screen" : ""), "data-activity": a.id },
      el("h3", {}, a.title, el("small", {}, ` · ${a.kind === "poll" ? a.kind_title : a.kind} · ${a.state}`)),
      a.prompt ? el("p", {}, a.prompt) : null,
      el("div", { class: "row" }, buttons));
    if (a.results) {
      card.append(el("p", { class: "count" }, `${a.results.count} answers`), Polls.results(a.results) || "");
      if (a.results.answers) card.append(approvals(a));
      if (a.by_team && a.by_team.length) {
        card.append(el("details", {}, el("summary", {}, "Results per team"),
          a.by_team.map((t) => el("div", { class: "team-results" }, el("h4", {}, `${t.team} (${t.results.count})`),
            Polls.results(t.results) || ""))));
      }
    }
    return card;
  }

  function approvals(a) {
    return el("ul", { class: "approvals" }, a.results.answers.map((answer) => el("li", {},
      el("label", {}, el("input", { type: "checkbox", checked: answer.approved,
        onchange: (e) => send("approve_answer", { activity_id: a.id, response_id: answer.id, approved: e.target.checked }) }),
      " ", answer.text))));
  }

  document.getElementById("reveal-storyboards").addEventListener("click", () =>
    send("reveal_storyboards", { visible: !state.session.storyboards_revealed }));
  // Teams type a lot: refresh the progress table at most every two seconds.
  let progressTimer = null;
  link.socket.on("workspace_changed", () => {
    if (progressTimer) return;
    progressTimer = setTimeout(() => { progressTimer = null; link.socket.emit("request_state", {}); }, 2000);
  });

  function renderProgress() {
    const reveal = document.getElementById("reveal-storyboards");
    reveal.setAttribute("aria-pressed", String(state.session.storyboards_revealed));
    reveal.textContent = state.session.storyboards_revealed ? "Hide storyboards" : "Reveal storyboards";
    const body = clear(document.querySelector("#progress tbody"));
    for (const row of state.progress || []) {
      body.append(el("tr", {}, el("td", {}, row.team), el("td", {}, row.sections.map((s) => TABS[s] || s).join(", ") || "nothing yet"),
        el("td", {}, row.last ? new Date(row.last).toLocaleTimeString() : "")));
    }
  }

  function renderTeams() {
    const box = clear(document.getElementById("teams"));
    document.getElementById("joined-count").textContent = String(state.presence.total);
    for (const team of state.presence.teams) {
      box.append(el("details", { class: "team" },
        el("summary", {}, `${team.name} · ${team.joined}`),
        el("ul", {}, (team.people || []).map((p) => el("li", {}, p.name, p.role ? el("small", {}, ` ${p.role}`) : null)))));
    }
  }
})();

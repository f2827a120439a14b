/* The facilitator console: run of show, activities and their results, teams and who joined. */
"use strict";

(() => {
  const { el, clear } = BSC;
  const code = document.getElementById("room").dataset.code;
  let state = null;
  const link = BSC.connect("console", code, (s) => { state = s; render(); });
  link.socket.on("room", (shared) => { state = Object.assign({}, state, shared); render(); });
  // Consoles get presence with the people of each team: the lists stay whole as people join.
  link.socket.on("presence", (p) => { if (state) { state.presence = p; renderTeams(); renderProgress(); } });
  link.socket.on("questions", (msg) => {
    if (!state || !msg.console) return;
    const activity = state.activities.find((a) => a.id === msg.activity_id);
    if (activity) { activity.questions = msg.questions; renderActivities(); }
  });
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
  document.getElementById("show-join").addEventListener("click", () => send("show_join", { visible: !state.session.join_shown }));
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
    // Cleared once the team is added: a refused name stays to be corrected.
    link.command("add_team", { name: form.name.value, organisation: form.organisation.value }, () => form.reset());
  });

  function render() {
    if (!state) return;
    BSC.renderAgenda(document.getElementById("agenda"), state.agenda, (item) => send("go_to_item", { item_id: item.id }));
    BSC.runTimer(document.getElementById("timer"), state.timer);
    const lock = document.getElementById("lock");
    lock.setAttribute("aria-pressed", String(state.session.locked));
    lock.textContent = state.session.locked ? "Unlock answers" : "Lock answers";
    const join = document.getElementById("show-join");
    join.setAttribute("aria-pressed", String(state.session.join_shown));
    join.textContent = state.session.join_shown ? "Shrink the join code" : "Show the join code";
    if (viewing) Workspace.room(state);
    renderActivities();
    renderTeams();
    renderProgress();
    renderComments();
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
    if (a.kind === "question-board") {
      buttons.push(a.state === "open"
        ? el("button", { type: "button", onclick: () => send("close_activity", id) }, "Close the board")
        : el("button", { type: "button", class: "primary", onclick: () => send("open_activity", id) }, a.state === "closed" ? "Reopen the board" : "Open the board"));
    }
    if (a.kind === "poll" || a.kind === "question-board") {
      buttons.push(el("a", { class: "button", href: `/console/${state.session.id}/activities/${a.id}.csv`, download: "" }, "CSV"));
    }
    const card = el("article", { class: "card" + (onScreen ? " on-screen" : ""), "data-activity": a.id },
      el("h3", {}, a.title, el("small", {}, ` · ${a.kind === "poll" ? a.kind_title : a.kind} · ${a.state}`)),
      a.prompt ? el("p", {}, a.prompt) : null,
      el("div", { class: "row" }, buttons));
    if (a.questions) card.append(questionList(a));
    if (a.results) {
      card.append(el("p", { class: "count" }, `${a.results.count} answers`), Polls.results(a.results) || "");
      if (a.results.answers) card.append(approvals(a));
      if (a.results.words && a.results.words.length) card.append(cloudWords(a));
      if (a.by_team && a.by_team.length) {
        card.append(el("details", {}, el("summary", {}, "Results per team"),
          a.by_team.map((t) => el("div", { class: "team-results" }, el("h4", {}, `${t.team} (${t.results.count})`),
            Polls.results(t.results) || ""))));
      }
    }
    return card;
  }

  /* Every question of a board, waiting ones too: approve, pin the one being answered, mark answered. */
  function questionList(a) {
    const waiting = a.questions.filter((q) => !q.approved).length;
    return el("div", {}, el("p", { class: "count" }, `${a.questions.length} questions${waiting ? ` · ${waiting} waiting` : ""}`),
      el("ol", { class: "approvals questions-console" }, a.questions.map((q) => el("li", { class: q.pinned ? "pinned" : null },
        el("span", {}, `▲ ${q.votes} · ${q.text} `, el("small", {}, q.team)), " ",
        el("button", { type: "button", "aria-pressed": String(q.approved),
          onclick: () => send("moderate_question", { question_id: q.id, approved: !q.approved }) }, q.approved ? "Hide" : "Approve"),
        el("button", { type: "button", "aria-pressed": String(q.pinned),
          onclick: () => send("moderate_question", { question_id: q.id, pinned: !q.pinned }) }, q.pinned ? "Unpin" : "Pin"),
        el("button", { type: "button", "aria-pressed": String(q.answered),
          onclick: () => send("moderate_question", { question_id: q.id, answered: !q.answered }) }, q.answered ? "Not answered" : "Answered")))));
  }

  /* The cloud's words, each with a button to take it off the projector (or put it back). */
  function cloudWords(a) {
    return el("details", {}, el("summary", {}, "Words on the cloud"),
      el("ul", { class: "approvals" }, a.results.words.map((w) => el("li", {},
        el("span", { class: w.hidden ? "hidden-word" : null }, `${w.text} (${w.count})`), " ",
        el("button", { type: "button", onclick: () => send("hide_word", { activity_id: a.id, word: w.text, hidden: !w.hidden }) },
          w.hidden ? "Show it again" : "Hide it")))));
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

  /* Gallery comments: a moderated walk's wait here for approval; any can be taken down. */
  link.socket.on("comments", (msg) => { if (state && msg.console) { state.comments = msg.comments; renderComments(); } });
  function renderComments() {
    const box = clear(document.getElementById("comments"));
    const names = Object.fromEntries(state.presence.teams.map((t) => [String(t.id), t.name]));
    const all = Object.entries(state.comments || {}).flatMap(([team, list]) => list.map((c) => ({ ...c, team: names[team] || "" })));
    if (!all.length) return;
    const waiting = all.filter((c) => !c.approved).length;
    box.append(el("details", { open: waiting > 0 }, el("summary", {}, `Gallery comments (${all.length}${waiting ? `, ${waiting} waiting` : ""})`),
      el("ul", { class: "approvals" }, all.map((c) => el("li", {}, el("label", {},
        el("input", { type: "checkbox", checked: c.approved,
          onchange: (e) => send("approve_comment", { comment_id: c.id, approved: e.target.checked }) }),
        " ", `${c.text} `, el("small", {}, `for ${c.team}`)))))));
  }

  function renderProgress() {
    const reveal = document.getElementById("reveal-storyboards");
    reveal.setAttribute("aria-pressed", String(state.session.storyboards_revealed));
    reveal.textContent = state.session.storyboards_revealed ? "Hide storyboards" : "Reveal storyboards";
    const body = clear(document.querySelector("#progress tbody"));
    // Every team of the room, a new one included, whether or not it has written yet.
    const rows = Object.fromEntries((state.progress || []).map((r) => [r.team_id, r]));
    for (const team of state.presence.teams) {
      const row = rows[team.id] || { sections: [], last: null };
      body.append(el("tr", {}, el("td", {}, team.name),
        el("td", {}, row.sections.map((s) => TABS[s] || s).join(", ") || "nothing yet"),
        el("td", {}, row.last ? new Date(row.last).toLocaleTimeString() : ""),
        el("td", {}, el("button", { type: "button", onclick: () => look(team.id) }, "Look at it"))));
    }
  }

  /* Teams and people: who joined, and the facilitator's fixes (rename, move, remove). */
  function renderTeams() {
    const focused = document.activeElement && document.activeElement.id;
    const box = clear(document.getElementById("teams"));
    document.getElementById("joined-count").textContent = String(state.presence.total);
    const teams = state.presence.teams;
    // People without their team's code, asking to be let in (the team's phones see them too).
    const asking = teams.flatMap((team) => (team.waiting || []).map((w) => ({ team, w })));
    if (asking.length) {
      box.append(el("div", { class: "door", id: "door" }, el("h3", {}, "Asking to join a team"),
        asking.map(({ team, w }) => el("p", { class: "door-request" },
          `${w.name}${w.role ? ` (${w.role})` : ""} asks to join ${team.name}. `,
          el("button", { type: "button", class: "primary", onclick: () => send("decide_join", { request_id: w.id, approve: true }) }, "Let in"),
          " ",
          el("button", { type: "button", onclick: () => send("decide_join", { request_id: w.id, approve: false }) }, "Refuse")))));
    }
    for (const team of teams) {
      const people = team.people || [];
      const nameId = `rename-${team.id}`;
      // What the facilitator types here survives the redraws that people joining cause.
      const draft = renames[team.id] || { name: team.name, organisation: team.organisation || "" };
      const keep = (field) => (e) => { renames[team.id] = Object.assign({}, draft, { [field]: e.target.value }); };
      const rename = el("form", { class: "inline-form", onsubmit: (event) => {
        event.preventDefault();
        const wanted = { team_id: team.id, name: event.target.elements.name.value, organisation: event.target.elements.organisation.value };
        link.command("rename_team", wanted, () => { delete renames[team.id]; });
      } },
      el("label", { for: nameId }, "Team name"),
      el("input", { id: nameId, name: "name", value: draft.name, maxlength: 80, required: true, oninput: keep("name") }),
      el("label", { for: `${nameId}-org` }, "Organisation"),
      el("input", { id: `${nameId}-org`, name: "organisation", value: draft.organisation, maxlength: 120, oninput: keep("organisation") }),
      el("button", { type: "submit" }, "Rename"));
      box.append(el("details", { class: "team", open: openTeams.has(team.id), ontoggle: (e) => {
        if (e.target.open) openTeams.add(team.id); else openTeams.delete(team.id);
      } },
      el("summary", {}, `${team.name} · ${team.joined}`, el("small", {}, ` · code ${team.code}`)),
      el("p", { class: "small" }, `Team code ${team.code}: a teammate joining needs it. `,
        el("a", { href: `/console/${state.session.id}/teams/${team.id}/card.pdf` }, "Print its table card")),
      el("ul", {}, people.map((p) => el("li", {}, p.name, p.role ? el("small", {}, ` ${p.role}`) : null, " ",
        teams.length > 1 ? el("select", { "aria-label": `Move ${p.name} to another team`, onchange: (e) => {
          if (e.target.value) send("move_participant", { participant_id: p.id, team_id: Number(e.target.value) });
        } }, el("option", { value: "" }, "Move to…"), teams.filter((t) => t.id !== team.id).map((t) => el("option", { value: t.id }, t.name))) : null,
        " ",
        el("button", { type: "button", onclick: () => {
          if (confirm(`Take ${p.name} out of the session? Their own answers will no longer count.`)) send("remove_participant", { participant_id: p.id });
        } }, "Remove")))),
      rename,
      people.length ? null : el("button", { type: "button", onclick: () => {
        if (confirm(`Remove the team ${team.name}?`)) send("remove_team", { team_id: team.id });
      } }, "Remove this empty team")));
    }
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }

  const openTeams = new Set();  // which team panels the facilitator has open, kept across redraws
  const renames = {};  // team id -> the name and organisation being typed

  /* Look over a team's shoulder: its workspace, read-only, live. */
  let viewing = null;
  Workspace.attach(link, { readOnly: true });
  link.socket.on("workspace", (view) => {
    viewing = view.team.id;
    document.getElementById("workspace-view").hidden = false;
    Workspace.update({ workspace: view.workspace, me: { id: 0, team: view.team }, roster: view.roster,
      driver_diagram: view.driver_diagram, session: state.session });
    document.getElementById("workspace-view").scrollIntoView();
  });
  function look(teamId) { link.command("request_workspace", { team_id: teamId }); }
  document.getElementById("close-workspace").addEventListener("click", () => {
    viewing = null;
    document.getElementById("workspace-view").hidden = true;
  });
})();

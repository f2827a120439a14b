/* The phone page: whatever the room is doing now, and this participant's answers. */
"use strict";

(() => {
  const { el, clear } = BSC;
  const code = document.getElementById("room").dataset.code;
  const area = document.getElementById("activity");
  let room = null;          // the shared state
  let me = null;
  const answers = {};       // activity id -> my (or my team's) answer, as the server has it
  const teamBy = {};        // activity id -> who set the team's answer
  const pendingFor = {};    // activity id -> an answer waiting to be sent

  const link = BSC.connect("participant", code, (state) => {
    room = state;
    me = state.me;
    document.getElementById("team-name").textContent = me.team.name;
    document.getElementById("me-name").textContent = me.name;
    for (const [id, value] of Object.entries(state.answers || {})) answers[Number(id)] = value;
    for (const p of link.pending()) if (p.activity_id) pendingFor[p.activity_id] = p.value;
    Workspace.update({ workspace: state.workspace, me: state.me, roster: state.roster,
      driver_diagram: state.driver_diagram, session: state.session });
    render();
  });
  Workspace.attach(link);
  link.socket.on("room", (shared) => {
    room = Object.assign({}, room, shared);
    if (!shared.results) delete room.results;
    Workspace.room(shared);
    render();
  });
  link.socket.on("poll_results", (msg) => {
    if (room && room.activity && room.activity.id === msg.activity_id && msg.visible) {
      room.results = msg.results;
      renderResults();
    }
  });
  link.socket.on("team_answer", (msg) => {
    answers[msg.activity_id] = msg.value;
    teamBy[msg.activity_id] = msg.by;
    if (room && room.activity && room.activity.id === msg.activity_id) render();
  });

  function send(activity, value) {
    pendingFor[activity.id] = value;
    render();
    link.write("cast_vote", { activity_id: activity.id, value }, (reply) => {
      delete pendingFor[activity.id];
      if (reply.ok) {
        answers[activity.id] = reply.value;
        if (activity.team_wide) teamBy[activity.id] = me.name;
      } else BSC.notice(reply.error);
      render();
    });
  }

  function current(activity) {
    return activity.id in pendingFor ? pendingFor[activity.id] : answers[activity.id];
  }

  function status(activity) {
    if (activity.id in pendingFor) return el("p", { class: "status waiting" }, "Waiting to send…");
    const value = answers[activity.id];
    if (value === undefined || value === null) return null;
    const who = activity.team_wide && teamBy[activity.id] ? ` by ${teamBy[activity.id]}` : "";
    return el("p", { class: "status sent" }, `✓ Answer saved${who}. You can change it until the poll closes.`);
  }

  function render() {
    if (!room) return;
    const now = room.agenda.find((i) => i.current);
    document.getElementById("agenda-now").textContent = now ? `${now.start}–${now.end} · ${now.title}` : "";
    BSC.renderAgenda(document.getElementById("agenda"), room.agenda);
    BSC.runTimer(document.getElementById("timer"), room.timer, room.server_time);
    clear(area);
    const activity = room.activity;
    if (!activity) {
      area.append(el("h1", {}, room.session.title), el("p", {}, now ? `Now: ${now.title}` : "Welcome."));
      return;
    }
    area.append(el("p", { class: "eyebrow" }, kindLabel(activity)), el("h1", {}, activity.title));
    if (activity.prompt) area.append(el("p", { class: "prompt", id: "prompt" }, activity.prompt));
    if (activity.kind !== "poll") {
      const section = activity.spec.worksheet || (activity.kind === "storyboard" ? "storyboard" : null);
      area.append(el("p", {}, section ? "Work on it together below: your teammates see each change as you make it."
        : activity.kind === "gallery-walk" ? "Browse the other teams' storyboards below and place your dots."
          : `${activity.minutes} minutes.`));
      Workspace.show(section);
      return;
    }
    const locked = room.session.locked;
    const open = activity.state === "open" && !locked;
    if (activity.state === "ready") area.append(el("p", { class: "status" }, "This poll opens in a moment."));
    if (activity.state === "closed") area.append(el("p", { class: "status" }, "This poll has closed."));
    if (locked && activity.state === "open") area.append(el("p", { class: "status" }, "Answers are paused for a moment."));
    area.append(Polls.form(activity, current(activity), (value) => send(activity, value), open));
    const state = status(activity);
    if (state) area.append(state);
    area.append(el("div", { id: "results" }));
    renderResults();
  }

  function renderResults() {
    const box = document.getElementById("results");
    if (!box) return;
    clear(box);
    if (room.activity && room.activity.results_visible && room.results) {
      box.append(el("h2", {}, `Results · ${room.results.count} answers`), Polls.results(room.results));
    }
  }

  function kindLabel(activity) {
    return activity.kind === "poll" ? activity.instruction : activity.kind.replace("-", " ");
  }
})();

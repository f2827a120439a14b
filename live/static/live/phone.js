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
    area.append(pollForm(activity, open));
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
      box.append(el("h2", {}, `Results · ${room.results.count} answers`), BSC.resultsView(room.results));
    }
  }

  function kindLabel(activity) {
    const names = { choice: "Poll: choose one", multi: "Poll: choose any", scale: "Poll: rate it",
      wordcloud: "Poll: a few words", open: "Poll: your answer", ranking: "Poll: put in order",
      "assessment-scale": "Your team's rating" };
    return activity.kind === "poll" ? names[activity.poll_type] : activity.kind.replace("-", " ");
  }

  function pollForm(activity, open) {
    const spec = activity.spec;
    const value = current(activity);
    const name = `poll-${activity.id}`;
    // The options are labelled by the prompt shown above them (screen readers read it once).
    const group = (_label, children) => el("fieldset", { class: "options", disabled: !open,
      "aria-labelledby": activity.prompt ? "prompt" : null }, children);
    switch (activity.poll_type) {
      case "choice":
        return group(activity.prompt || activity.title, spec.options.map((option, i) =>
          el("label", { class: "choice" },
            el("input", { type: "radio", name, value: i, checked: value === i, onchange: () => send(activity, i) }),
            el("span", {}, option))));
      case "multi": {
        const chosen = new Set(Array.isArray(value) ? value : []);
        const boxes = spec.options.map((option, i) => el("label", { class: "choice" },
          el("input", { type: "checkbox", value: i, checked: chosen.has(i) }), el("span", {}, option)));
        const button = el("button", { type: "button", class: "primary", onclick: () => {
          const picked = boxes.map((b, i) => (b.querySelector("input").checked ? i : -1)).filter((i) => i >= 0);
          if (!picked.length) { BSC.notice("Choose at least one."); return; }
          send(activity, picked);
        } }, "Send my choices");
        return group(activity.prompt, [boxes, button]);
      }
      case "scale": {
        const points = [];
        for (let n = spec.min; n <= spec.max; n += 1) points.push(n);
        return group(activity.prompt, [
          el("div", { class: "scale" }, points.map((n) => el("label", { class: "point" },
            el("input", { type: "radio", name, value: n, checked: value === n, onchange: () => send(activity, n) }),
            el("span", {}, String(n))))),
          el("p", { class: "scale-labels" }, el("span", {}, spec.min_label || ""), el("span", {}, spec.max_label || "")),
        ]);
      }
      case "assessment-scale":
        return group("IHI Assessment Scale", ASSESSMENT.map(([score, label]) =>
          el("label", { class: "choice" },
            el("input", { type: "radio", name, value: score, checked: value === score, onchange: () => send(activity, score) }),
            el("span", {}, el("strong", {}, score.toFixed(1)), ` ${label}`))));
      case "wordcloud":
      case "open": {
        const long = activity.poll_type === "open";
        const limit = long ? spec.max_chars : spec.max_words * 31;
        const input = el(long ? "textarea" : "input", { id: `${name}-text`, maxlength: limit, rows: long ? 4 : null,
          autocomplete: "off" });
        input.value = typeof value === "string" ? value : "";
        const label = el("label", { for: `${name}-text` }, long ? "Your answer" : `Up to ${spec.max_words} words`);
        const button = el("button", { type: "button", class: "primary", onclick: () => {
          const text = input.value.trim();
          if (!text) { BSC.notice("Type something first."); return; }
          send(activity, text);
        } }, "Send");
        return group(activity.prompt, [label, input, button]);
      }
      case "ranking": {
        let order = Array.isArray(value) ? value.slice() : spec.options.map((_, i) => i);
        const list = el("ol", { class: "ranking" });
        const draw = () => {
          clear(list);
          order.forEach((option, place) => list.append(el("li", {},
            el("span", {}, spec.options[option]),
            el("button", { type: "button", "aria-label": `Move ${spec.options[option]} up`, disabled: place === 0,
              onclick: () => { [order[place - 1], order[place]] = [order[place], order[place - 1]]; draw(); } }, "▲"),
            el("button", { type: "button", "aria-label": `Move ${spec.options[option]} down`, disabled: place === order.length - 1,
              onclick: () => { [order[place + 1], order[place]] = [order[place], order[place + 1]]; draw(); } }, "▼"))));
        };
        draw();
        return group(activity.prompt, [list,
          el("button", { type: "button", class: "primary", onclick: () => send(activity, order.slice()) }, "Send my order")]);
      }
      default:
        return el("p", {}, "");
    }
  }

  const ASSESSMENT = [[0.5, "Intent to participate"], [1.0, "Team formed"], [1.5, "Planning has begun"],
    [2.0, "Activity, but no changes"], [2.5, "Changes tested, no improvement yet"], [3.0, "Modest improvement"],
    [3.5, "Improvement"], [4.0, "Significant improvement"], [4.5, "Sustainable improvement"],
    [5.0, "Outstanding sustainable results"]];
})();

/* The phone page: whatever the room is doing now, and this participant's answers. */
"use strict";

(() => {
  const { el, clear } = BSC;
  const t = BSC.t;
  const code = document.getElementById("room").dataset.code;
  const area = document.getElementById("activity");
  let room = null;          // the shared state
  let me = null;
  const answers = {};       // activity id -> my (or my team's) answer, as the server has it
  const teamBy = {};        // activity id -> who set the team's answer
  const pendingFor = {};    // activity id -> an answer waiting to be sent
  // The team-time activity whose worksheet was opened for the team (kept across a reload, so
  // a reload returns to the tab the person was on, not to the pushed one).
  const pushedKey = `bsc-pushed-${code}`;
  let shownActivity = null;
  try { shownActivity = Number(localStorage.getItem(pushedKey)) || null; } catch (e) { /* none */ }
  const refused = {};       // activity id -> why the last answer was refused (its text is kept)
  /* Someone who reads another language sees the session's own words in it where the
     curriculum has them (the page carries them: curriculum.i18n.session_words); the room,
     and what the faculty type live, stay as they are. */
  const words = JSON.parse(document.getElementById("words").textContent || "{}");
  // The driver diagram in the reader's language (the socket's state has it in English).
  const drivers = JSON.parse(document.getElementById("drivers").textContent || "null");
  const say = (text) => { const there = BSC.lookUp(words, text); return there === undefined ? text : there; };
  // What an activity is, above its title: a poll says what it asks of people (its kind's
  // instruction); the others their kind, the storyboard its worksheet's title (its definition,
  // in the phone's language).
  const storyboardSheet = JSON.parse(document.getElementById("worksheets").textContent).sheets
    .find((s) => s.name === "storyboard");
  const KINDS = { "team-time": t("Team time"), "question-board": t("Question board"),
    storyboard: storyboardSheet ? storyboardSheet.title : "storyboard", "gallery-walk": t("Gallery walk") };
  function inWords(shared) {
    const out = Object.assign({}, shared);
    if (out.session) out.session = Object.assign({}, out.session, { title: say(out.session.title) });
    if (out.agenda) out.agenda = out.agenda.map((item) => Object.assign({}, item, { title: say(item.title) }));
    if (out.activity) {
      const spec = Object.assign({}, out.activity.spec);
      if (Array.isArray(spec.options)) spec.options = spec.options.map(say);
      for (const key of ["min_label", "max_label"]) if (spec[key]) spec[key] = say(spec[key]);
      out.activity = Object.assign({}, out.activity,
        { title: say(out.activity.title), prompt: say(out.activity.prompt), instruction: say(out.activity.instruction), spec });
    }
    return out;
  }
  /* Typed answers (word cloud, open) are kept on the phone from the first keystroke until the
     server has them: a reload, a lock or a refusal never loses them. */
  const typed = {
    key: `bsc-poll-drafts-${code}`,
    all() { try { return JSON.parse(localStorage.getItem(this.key) || "{}"); } catch (e) { return {}; } },
    set(id, text) {
      const all = this.all();
      if (text === null) delete all[id]; else all[id] = text;
      try { localStorage.setItem(this.key, JSON.stringify(all)); } catch (e) { /* private mode */ }
    },
  };

  const link = BSC.connect("participant", code, (whole) => {
    const state = inWords(whole);
    room = state;
    me = state.me;
    document.getElementById("team-name").textContent = me.team.name;
    document.getElementById("team-code").textContent = me.team.code;
    document.getElementById("me-name").textContent = me.name;
    for (const [id, value] of Object.entries(state.answers || {})) answers[Number(id)] = value;
    for (const p of link.pending()) if (p.activity_id && "value" in p) pendingFor[p.activity_id] = p.value;
    mine = state.my_questions || { asked: [], voted: [] };
    Workspace.update({ workspace: state.workspace, me: state.me, roster: state.roster,
      driver_diagram: drivers || state.driver_diagram, session: state.session });
    renderDoor(state.waiting || []);
    render();
  });
  Workspace.attach(link);

  /* People without the team's code asking to join it: any member lets them in, or not. */
  const door = document.getElementById("door");
  const answering = new Set();  // requests this phone has answered (sent, not yet confirmed)
  function renderDoor(waiting) {
    clear(door);
    const open = waiting.filter((w) => !answering.has(w.id));
    door.hidden = open.length === 0;
    for (const w of open) {
      const who = w.role ? `${w.name} (${say(w.role)})` : w.name;
      const answer = (approve) => () => {
        answering.add(w.id);
        renderDoor(open);
        link.write("answer_join", { request_id: w.id, approve }, (reply) => {
          if (!reply.ok) { answering.delete(w.id); BSC.notice(reply.error); }
        });
      };
      door.append(el("div", { class: "door-request" },
        el("p", {}, t("{who} asks to join your team.", { who })),
        el("div", { class: "row" },
          el("button", { type: "button", class: "primary", onclick: answer(true) }, t("Let them in")),
          el("button", { type: "button", onclick: answer(false) }, t("Not our team")))));
    }
  }
  link.socket.on("roster", (r) => { if (me && r.team_id === me.team.id) renderDoor(r.waiting || []); });

  /* Time is up: the timer turns coral and pulses (CSS), the phone buzzes and chimes once. */
  const timerBox = document.getElementById("timer");
  let chimed = false;
  new MutationObserver(() => {
    const done = timerBox.classList.contains("done") && !timerBox.hidden;
    if (done && !chimed) {
      if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
      chime();
    }
    chimed = done;
  }).observe(timerBox, { attributes: true, attributeFilter: ["class", "hidden"] });
  function chime() {
    try {
      const audio = new (window.AudioContext || window.webkitAudioContext)();
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.frequency.value = 880;
      volume.gain.setValueAtTime(0.2, audio.currentTime);
      volume.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.8);
      tone.connect(volume).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.8);
    } catch (e) { /* no sound on this phone: the coral timer still shows it */ }
  }
  document.getElementById("leave").addEventListener("submit", (event) => {
    if (!confirm(t("Leave the session on this phone? You can join again, as yourself, in another team."))) {
      event.preventDefault();
      return;
    }
    link.forget();
    Workspace.forget();
  });
  link.socket.on("room", (sent) => {
    const shared = inWords(sent);
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
  link.socket.on("questions", (msg) => {
    if (room && room.activity && room.activity.id === msg.activity_id) {
      room.questions = msg.questions;
      render();
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
        delete refused[activity.id];
        if (typeof value === "string" && typed.all()[activity.id] === value) typed.set(activity.id, null);
        if (activity.team_wide) teamBy[activity.id] = me.name;
      } else if (typeof value === "string") refused[activity.id] = reply.error; // shown beside the field
      else BSC.notice(reply.error);
      render();
    });
  }

  function current(activity) {
    return activity.id in pendingFor ? pendingFor[activity.id] : answers[activity.id];
  }

  function status(activity) {
    if (activity.id in pendingFor) return el("p", { class: "status waiting" }, t("Waiting to send…"));
    const value = answers[activity.id];
    if (value === undefined || value === null) return null;
    const who = activity.team_wide && teamBy[activity.id];
    return el("p", { class: "status sent" }, "✓ " + (who
      ? t("Answer saved by {name}. You can change it until the poll closes.", { name: who })
      : t("Answer saved. You can change it until the poll closes.")));
  }

  function render() {
    if (!room) return;
    // A redraw (the timer, a teammate's answer) must not take the caret from someone typing.
    const focused = document.activeElement && area.contains(document.activeElement) ? document.activeElement.id : null;
    const now = room.agenda.find((i) => i.current);
    document.getElementById("agenda-now").textContent = now ? `${now.start}–${now.end} · ${now.title}` : "";
    BSC.renderAgenda(document.getElementById("agenda"), room.agenda);
    BSC.runTimer(document.getElementById("timer"), room.timer);
    clear(area);
    const activity = room.activity;
    if (!activity) {
      area.append(el("h1", {}, room.session.title), el("p", {}, now ? t("Now: {title}", { title: now.title }) : t("Welcome.")));
      return;
    }
    area.append(el("p", { class: "eyebrow" }, kindLabel(activity)), el("h1", {}, activity.title));
    if (activity.prompt) area.append(el("p", { class: "prompt", id: "prompt" }, activity.prompt));
    if (activity.kind === "question-board") {
      area.append(questionBoard(activity));
      restoreFocus(focused);
      return;
    }
    if (activity.kind !== "poll") {
      const section = activity.spec.worksheet || (activity.kind === "storyboard" ? "storyboard" : null);
      area.append(el("p", {}, section ? t("Work on it together below: your teammates see each change as you make it.")
        : activity.kind === "gallery-walk" ? t("Browse the other teams' storyboards below and place your dots.")
          : t("{minutes} minutes.", { minutes: activity.minutes })));
      // Open the pushed worksheet once, when it is pushed: after that the team may browse.
      if (shownActivity !== activity.id) {
        Workspace.show(section);
        shownActivity = activity.id;
        try { localStorage.setItem(pushedKey, String(activity.id)); } catch (e) { /* private mode */ }
      }
      return;
    }
    const locked = room.session.locked;
    const open = activity.state === "open" && !locked;
    if (activity.state === "ready") area.append(el("p", { class: "status" }, t("This poll opens in a moment.")));
    if (activity.state === "closed") area.append(el("p", { class: "status" }, t("This poll has closed.")));
    if (locked && activity.state === "open") area.append(el("p", { class: "status" }, t("Answers are paused for a moment.")));
    const stored = typed.all();
    const draft = { text: activity.id in stored ? stored[activity.id] : null, error: refused[activity.id] || null,
      keep: (text) => { typed.set(activity.id, text); delete refused[activity.id]; } };
    area.append(Polls.form(activity, current(activity), (value) => send(activity, value), open, draft));
    restoreFocus(focused);
    const state = status(activity);
    if (state) area.append(state);
    area.append(el("div", { id: "results" }));
    renderResults();
  }

  function restoreFocus(focused) {
    if (!focused) return;
    const again = document.getElementById(focused);
    if (again && !again.disabled) {
      again.focus();
      if ((again.tagName === "TEXTAREA" || again.type === "text") && again.value) {
        again.setSelectionRange(again.value.length, again.value.length);
      }
    }
  }

  /* The question board: ask (what is typed is kept until the server has it), upvote others'. */
  let mine = { asked: [], voted: [] };  // this phone's own questions (waiting ones too) and votes
  function questionBoard(activity) {
    const box = el("div", { class: "questions" });
    const open = activity.state === "open" && !room.session.locked;
    const draftKey = `q${activity.id}`;
    const stored = typed.all();
    const id = `ask-${activity.id}`;
    const error = refused[draftKey];
    const input = el("textarea", { id, rows: 3, maxlength: 280, disabled: !open, "aria-describedby": error ? `${id}-error` : null,
      "aria-invalid": error ? "true" : null,
      oninput: (e) => { typed.set(draftKey, e.target.value); delete refused[draftKey]; } });
    input.value = stored[draftKey] || "";
    box.append(el("label", { for: id }, t("Your question")), input,
      error ? el("p", { class: "field-error", id: `${id}-error`, role: "alert" }, t("Not sent: {error}", { error })) : null,
      el("button", { type: "button", class: "primary", disabled: !open, onclick: () => {
        const text = input.value.trim();
        if (!text) { BSC.notice(t("Type your question first.")); return; }
        link.write("ask_question", { activity_id: activity.id, text }, (reply) => {
          if (reply.ok) {
            mine.asked.push(reply.question);
            if (typed.all()[draftKey] === input.value || (typed.all()[draftKey] || "").trim() === text) typed.set(draftKey, null);
          } else refused[draftKey] = reply.error;
          render();
        });
      } }, t("Ask")));
    if (activity.state === "ready") box.append(el("p", { class: "status" }, t("The question board opens in a moment.")));
    if (activity.state === "closed") box.append(el("p", { class: "status" }, t("The question board has closed.")));
    const board = room.questions || [];
    const waiting = mine.asked.filter((q) => !board.some((b) => b.id === q.id) && !q.approved);
    if (waiting.length) {
      box.append(el("h2", {}, t("Waiting for the facilitator")), el("ul", { class: "question-list" },
        waiting.map((q) => el("li", {}, q.text))));
    }
    const own = new Set(mine.asked.map((q) => q.id));
    box.append(el("h2", {}, board.length ? t("Questions") : t("No questions yet")), el("ol", { class: "question-list" },
      board.map((q) => {
        const voted = mine.voted.includes(q.id);
        const text = q.answered ? t("{question} (answered)", { question: q.text }) : q.text;
        return el("li", { class: [q.pinned ? "pinned" : "", q.answered ? "answered" : ""].join(" ").trim() || null },
          el("span", { class: "q-text" }, q.pinned ? t("Now answering: {question}", { question: text }) : text),
          own.has(q.id) ? el("span", { class: "q-votes" }, `▲ ${q.votes}`) :
            el("button", { type: "button", class: "q-votes", "aria-pressed": String(voted), disabled: !open,
              "aria-label": voted ? t("Take back my vote for: {question} ({votes} votes)", { question: q.text, votes: q.votes })
                : t("Vote for: {question} ({votes} votes)", { question: q.text, votes: q.votes }),
              onclick: () => link.write("upvote_question", { question_id: q.id, up: !voted }, (reply) => {
                if (reply.ok) mine.voted = reply.up ? [...mine.voted, q.id] : mine.voted.filter((v) => v !== q.id);
                else BSC.notice(reply.error);
                render();
              }) }, `▲ ${q.votes}`));
      })));
    return box;
  }

  function renderResults() {
    const box = document.getElementById("results");
    if (!box) return;
    clear(box);
    if (room.activity && room.activity.results_visible && room.results) {
      box.append(el("h2", {}, t("Results · {count} answers", { count: room.results.count })), Polls.results(room.results));
    }
  }

  function kindLabel(activity) {
    return activity.kind === "poll" ? activity.instruction : KINDS[activity.kind] || activity.kind.replace("-", " ");
  }
})();

/* The projector: join code and QR always visible, the current activity, results once revealed,
   the agenda and the timer. Everything redraws from server messages; a reload gets `state`. */
"use strict";

(() => {
  const { el, clear } = BSC;
  const code = document.getElementById("room").dataset.code;
  const screen = document.getElementById("activity");
  let room = null;
  let results = null;

  const link = BSC.connect("projector", code, (state) => {
    room = state;
    results = state.results || null;
    presence(state.presence);
    render();
  });
  link.socket.on("room", (shared) => {
    const changed = !room || !room.activity || !shared.activity || room.activity.id !== shared.activity.id;
    room = Object.assign({}, room, shared);
    if (shared.results) results = shared.results;
    else if (changed) results = null;
    render();
  });
  link.socket.on("poll_results", (msg) => {
    if (room && room.activity && room.activity.id === msg.activity_id) {
      results = msg.results;
      room.activity.results_visible = msg.visible;
      render();
    }
  });
  link.socket.on("presence", presence);
  let gallery = null;
  link.socket.on("gallery", (g) => { gallery = g; render(); });
  link.socket.on("dots", (totals) => { if (gallery) { gallery.dots = totals; render(); } });

  // The gallery as a grid, or one storyboard at a time: arrow keys page, G goes back to the grid.
  let focus = null;
  document.addEventListener("keydown", (event) => {
    if (!gallery || !gallery.boards.length) return;
    const count = gallery.boards.length;
    if (event.key === "ArrowRight") focus = focus === null ? 0 : (focus + 1) % count;
    else if (event.key === "ArrowLeft") focus = focus === null ? count - 1 : (focus + count - 1) % count;
    else if (event.key === "g" || event.key === "G" || event.key === "Escape") focus = null;
    else return;
    render();
  });

  function galleryView() {
    if (!gallery) { link.socket.emit("request_gallery", {}); return el("p", { class: "lead" }, "Loading the storyboards…"); }
    const boards = focus === null ? gallery.boards : [gallery.boards[Math.min(focus, gallery.boards.length - 1)]];
    // The grid shows each board's brief sections and first chart; one at a time shows it all.
    const one = focus !== null;
    return el("div", { class: one ? "gallery-one" : "gallery-grid", id: "gallery" }, boards.map((b) =>
      el("article", { class: "board", "data-team": b.team_id },
        el("h2", {}, b.team),
        el("p", { class: "dots" }, `● ${gallery.dots[String(b.team_id)] || 0}`),
        b.sections.filter((s) => one || s.brief).map((s) =>
          el("p", { class: s.brief ? null : "small" }, el("strong", {}, `${s.label}: `), s.text)),
        b.charts.slice(0, one ? 3 : 1).map((c) => el("img", { src: c.src, alt: `Run chart of ${c.name}`, class: "chart" })))));
  }

  function presence(p) {
    if (p) document.getElementById("joined-count").textContent = String(p.total);
  }

  function render() {
    if (!room) return;
    BSC.renderAgenda(document.getElementById("agenda"), room.agenda);
    BSC.runTimer(document.getElementById("timer"), room.timer, room.server_time);
    clear(screen);
    const activity = room.activity;
    const now = room.agenda.find((i) => i.current);
    screen.append(el("p", { class: "eyebrow" }, room.session.collaborative));
    if (room.session.storyboards_revealed) {
      screen.append(el("h1", {}, "Gallery walk"), galleryView());
      return;
    }
    gallery = null;
    if (!activity) {
      screen.append(el("h1", {}, now ? now.title : room.session.title),
        now ? el("p", { class: "lead" }, `${now.start}–${now.end}${now.presenter ? " · " + now.presenter : ""}`) : null);
      return;
    }
    screen.append(el("h1", {}, activity.title));
    if (activity.prompt) screen.append(el("p", { class: "lead" }, activity.prompt));
    if (activity.kind !== "poll") return;
    const count = results ? results.count : 0;
    const answered = el("p", { class: "answered", id: "answer-count" },
      `${count} ${activity.team_wide ? "team" : "answer"}${count === 1 ? "" : "s"}`,
      activity.state === "closed" ? " · closed" : activity.state === "ready" ? " · opening soon" : "");
    screen.append(answered);
    if (activity.results_visible && results) {
      screen.append(el("div", { class: "results", id: "results" }, Polls.results(results)));
    } else {
      const waiting = Polls.waiting(activity);
      if (waiting) screen.append(waiting);
    }
  }
})();

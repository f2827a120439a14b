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
    return el("div", { class: focus === null ? "gallery-grid" : "gallery-one", id: "gallery" }, boards.map((b) =>
      el("article", { class: "board", "data-team": b.team_id },
        el("h2", {}, b.team),
        el("p", { class: "dots" }, `● ${gallery.dots[String(b.team_id)] || 0}`),
        b.aim ? el("p", {}, b.aim) : null,
        b.measures.filter((m) => m.points.length).slice(0, focus === null ? 1 : 3).map((m) =>
          el("img", { src: m.chart, alt: `Run chart of ${m.name}`, class: "chart" })),
        b.tests.length ? el("p", { class: "small" }, `Tested: ${b.tests.join("; ")}`) : null,
        focus !== null && b.results ? el("p", {}, `Results: ${b.results}`) : null,
        focus !== null && b.lessons ? el("p", {}, `Lessons: ${b.lessons}`) : null)));
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
      screen.append(el("div", { class: "results", id: "results" }, BSC.resultsView(results)));
    } else if (activity.spec.options) {
      screen.append(el("ol", { class: "options-list" }, activity.spec.options.map((o) => el("li", {}, o))));
    }
  }
})();

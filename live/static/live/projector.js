/* The projector: the join panel (large while people join, a corner once the room is under way),
   the current activity, results once revealed, the agenda and the timer. Everything redraws
   from server messages; a reload gets `state`.

   Venue projectors are 1024x768, 1280x720 or 1920x1080, read from 20 m, and the page cannot
   scroll. So after each drawing the screen is fitted: text is set as large as its box allows
   (the CSS custom property --fit scales it, lowered step by step until nothing overflows),
   long agendas show the items around the current one, and what cannot fit at a readable size
   (a wall of answers, the gallery of storyboards) is shown a page at a time, turning by
   itself. The stage's `data-fitted` says the size the last drawing was fitted to. */
"use strict";

(() => {
  const { el, clear } = BSC;
  const stage = document.getElementById("room");
  const code = stage.dataset.code;
  const screen = document.getElementById("activity");
  const agendaNode = document.getElementById("agenda");
  const timerNode = document.getElementById("timer");
  const PAGE_SECONDS = 12; // a page of answers or storyboards
  const BOARD_SECONDS = 20; // one storyboard at a time
  const KEYS_HOLD_SECONDS = 40; // after a key, the facilitator drives the gallery
  let room = null;
  let results = null;

  // The timer is started from each message as it arrives (a later redraw leaves the running
  // countdown alone); common.js measures the clocks' difference from the message's server_time.
  const link = BSC.connect("projector", code, (state) => {
    room = state;
    results = state.results || null;
    presence(state.presence);
    BSC.runTimer(timerNode, room.timer);
    render();
  });
  link.socket.on("room", (shared) => {
    const changed = !room || !room.activity || !shared.activity || room.activity.id !== shared.activity.id;
    room = Object.assign({}, room, shared);
    if (shared.results) results = shared.results;
    else if (changed) results = null;
    BSC.runTimer(timerNode, room.timer);
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
  link.socket.on("questions", (msg) => {
    if (room && room.activity && room.activity.id === msg.activity_id) { room.questions = msg.questions; render(); }
  });
  let gallery = null;
  let galleryVersion = 0;
  link.socket.on("gallery", (g) => { gallery = g; galleryVersion += 1; render(); });
  link.socket.on("dots", (totals) => { if (gallery) { gallery.dots = totals; render(); } });

  let resizing = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(resizing);
    resizing = requestAnimationFrame(render);
  });

  /* -- Fitting ---------------------------------------------------------------------------- */

  const overflowing = (node) => node.scrollHeight > node.clientHeight + 1 || node.scrollWidth > node.clientWidth + 1;

  /* The box, each of its parts and every clipping box inside it (class "clip") show their
     content whole. The parts are measured too: a part's overflow may reach into the box's
     padding before the box's own scroll size grows. */
  function fits(box) {
    if (overflowing(box)) return false;
    for (const part of box.children) if (overflowing(part)) return false;
    for (const inner of box.querySelectorAll(".clip")) if (overflowing(inner)) return false;
    return true;
  }

  function setFit(box, scale) { box.style.setProperty("--fit", scale.toFixed(3)); }

  /* The largest --fit in [low, high] at which the box's content fits (to within 1%), set on the
     box; or null, with the box left at `low`, when it does not fit even there. */
  function fitScale(box, low, high) {
    setFit(box, high);
    if (fits(box)) return high;
    setFit(box, low);
    if (!fits(box)) return null;
    let good = low;
    let bad = high;
    while (bad - good > 0.01) {
      const middle = (good + bad) / 2;
      setFit(box, middle);
      if (fits(box)) good = middle; else bad = middle;
    }
    setFit(box, good);
    return good;
  }

  /* The font sizes a box's --fit may set: `readable` is the least a screen read from 20 m
     should use, `least` the last resort before anything would be cut. In units of the box's
     own font size at --fit: 1. */
  function limits(box) {
    setFit(box, 1);
    const base = parseFloat(getComputedStyle(box).fontSize) || 16;
    const height = window.innerHeight;
    return {
      readable: Math.min(1, Math.max(15, height * 0.024) / base),
      least: Math.min(1, Math.max(10, height * 0.015) / base),
    };
  }

  /* Fit the box: as large as fits up to 1, never under `readable` unless nothing else fits. */
  function fitBox(box) {
    const { readable, least } = limits(box);
    const scale = fitScale(box, readable, 1);
    return scale !== null ? scale : fitScale(box, least, readable) || least;
  }

  /* Of several ways to lay the box out (each a function that sets it up), keep the one whose
     text fits the largest; the first wins a tie. */
  function fitBest(box, layouts) {
    let best = -1;
    let chosen = 0;
    layouts.forEach((layout, i) => {
      layout();
      const scale = fitBox(box);
      if (scale > best + 0.01) { best = scale; chosen = i; }
    });
    layouts[chosen]();
    fitBox(box);
  }

  /* -- The join panel, the agenda, the timer --------------------------------------------- */

  function presence(p) {
    if (p) document.getElementById("joined-count").textContent = String(p.total);
  }

  /* The agenda, numbered. Beside an activity it shows in the join column (or the strip along
     the bottom); with no activity it fills the screen. Either way only the items around the
     current one that fit are shown, whole. */
  function agendaItems(agenda) {
    return agenda.map((item, i) => el("li", {
      class: item.current ? "current" : null, "aria-current": item.current ? "step" : null,
    },
    el("span", { class: "n" }, String(i + 1)),
    el("span", { class: "when" }, `${item.start}–${item.end}`),
    el("span", { class: "what" }, item.title)));
  }

  /* Show in `list` the current item, the next, the one before, then later ones, then earlier
     ones, as many as let `box` fit; false if not even the current one fits. */
  function fitWindow(list, items, box) {
    clear(list);
    if (!items.length) return true;
    const current = Math.max(0, items.findIndex((li) => li.classList.contains("current")));
    const order = [current + 1, current - 1];
    for (let i = current + 2; i < items.length; i += 1) order.push(i);
    for (let i = current - 2; i >= 0; i -= 1) order.push(i);
    list.append(items[current]);
    if (!fits(box)) return false;
    let low = current;
    let high = current;
    for (const i of order) {
      if (i < 0 || i >= items.length) continue;
      if (i > high) list.append(items[i]); else list.prepend(items[i]);
      if (!fits(box)) { items[i].remove(); break; }
      low = Math.min(low, i);
      high = Math.max(high, i);
    }
    list.setAttribute("aria-label", `Agenda, items ${low + 1} to ${high + 1} of ${items.length}`);
    return true;
  }

  let sideAgenda = [];
  // The agenda's box changes size when the timer appears, says time is up, the joined count or
  // the connection line grows: show again what fits.
  new ResizeObserver(() => fitAgenda()).observe(agendaNode);
  function fitAgenda() {
    clear(agendaNode);
    if (stage.classList.contains("agenda-on-screen")) return;
    // The current item at three quarters of the size at least, else no agenda rather than a cut one.
    const current = sideAgenda.find((li) => li.classList.contains("current")) || sideAgenda[0];
    if (!current) return;
    agendaNode.append(current);
    if (fitScale(agendaNode, 0.75, 1) === null) clear(agendaNode);
    else fitWindow(agendaNode, sideAgenda, agendaNode);
  }

  /* The timer reaching zero: common.js marks it `done`; the stage shows it (app.css) and a short
     chime plays once. Browsers allow sound after the page's first click or key. */
  let audio = null;
  function unlockAudio() {
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!audio && Context) audio = new Context();
      if (audio && audio.state === "suspended") audio.resume().catch(() => {});
    } catch (e) { audio = null; }
  }
  document.addEventListener("pointerdown", unlockAudio);
  document.addEventListener("keydown", unlockAudio);

  function chime() {
    try {
      unlockAudio();
      if (!audio || audio.state !== "running") return;
      const start = audio.currentTime + 0.02;
      [784, 1047, 784].forEach((pitch, i) => {
        const tone = audio.createOscillator();
        const volume = audio.createGain();
        const at = start + i * 0.22;
        tone.type = "sine";
        tone.frequency.value = pitch;
        volume.gain.setValueAtTime(0.0001, at);
        volume.gain.exponentialRampToValueAtTime(0.35, at + 0.02);
        volume.gain.exponentialRampToValueAtTime(0.0001, at + 0.2);
        tone.connect(volume).connect(audio.destination);
        tone.start(at);
        tone.stop(at + 0.21);
      });
      timerNode.dataset.chimes = String(Number(timerNode.dataset.chimes || 0) + 1);
    } catch (e) { /* no sound on this machine: the screen still shows it */ }
  }

  // Chime when the count reaches zero while watched: not for a timer already at zero on load.
  let counting = false;
  new MutationObserver(() => {
    const shown = !timerNode.hidden;
    const done = shown && timerNode.classList.contains("done");
    if (shown && !done) counting = true;
    else if (done && counting) { counting = false; chime(); }
    else if (!shown) counting = false;
  }).observe(timerNode, { attributes: true, attributeFilter: ["class", "hidden"], childList: true });

  /* -- The word cloud --------------------------------------------------------------------- */

  /* Lay the cloud's words out as a cloud: the most frequent in the middle, each next one on an
     outward spiral at the first place where it overlaps nothing, all inside the box; the whole
     as large as fits. Deterministic: the same words in the same box land in the same places. */
  function layoutCloud(cloud) {
    const words = Array.from(cloud.children);
    cloud.classList.add("placed");
    if (!words.length) return;
    const width = cloud.clientWidth;
    const height = cloud.clientHeight;
    const spread = Math.max(1, width / height); // a wide box gets a wide cloud
    const unit = 20; // measured at this size, then scaled: text grows in proportion
    cloud.style.setProperty("--unit", `${unit}px`);
    const sizes = words.map((w) => { const r = w.getBoundingClientRect(); return [r.width, r.height]; });
    // Room kept around each word: a space's width across, a little above and below.
    const room = (w, h, scale) => [(w + 0.3 * h) * scale + 2, h * 1.04 * scale + 2];

    function place(scale) {
      let area = 0;
      for (const [w, h] of sizes) { const [rw, rh] = room(w, h, scale); area += rw * rh; }
      if (area > width * height * 0.92) return null;
      const placed = [];
      for (const [w0, h0] of sizes) {
        const [w, h] = room(w0, h0, scale);
        if (w > width || h > height) return null;
        let spot = null;
        // Out along a spiral from the middle to the first place free and inside the box.
        for (let t = 0, r = 0; r < width + height; ) {
          const x = width / 2 + r * Math.cos(t) * spread - w / 2;
          const y = height / 2 + r * Math.sin(t) - h / 2;
          if (x >= 0 && y >= 0 && x + w <= width && y + h <= height
              && !placed.some((p) => x < p.x + p.w && p.x < x + w && y < p.y + p.h && p.y < y + h)) {
            spot = { x, y, w, h };
            break;
          }
          r = 1.6 * t;
          t += Math.min(0.5, 5 / Math.max(r, 1));
        }
        if (!spot) return null;
        placed.push(spot);
      }
      return placed;
    }

    // The largest scale at which every word finds a place.
    let low = 0.2;
    let high = 6;
    let layout = place(low);
    if (!layout) { low = 0.05; layout = place(low); }
    if (!layout) return;
    while (high - low > 0.02) {
      const middle = (low + high) / 2;
      const tried = place(middle);
      if (tried) { low = middle; layout = tried; } else high = middle;
    }
    cloud.style.setProperty("--unit", `${(unit * low).toFixed(2)}px`);
    words.forEach((word, i) => {
      const spot = layout[i];
      const [w, h] = sizes[i];
      word.style.setProperty("--x", `${(spot.x + (spot.w - w * low) / 2).toFixed(1)}px`);
      word.style.setProperty("--y", `${(spot.y + (spot.h - h * low) / 2).toFixed(1)}px`);
    });
  }

  /* -- Pages: answers and storyboards that cannot all fit at a readable size ------------- */

  let pageAt = 0; // the page shown
  let pageCount = 1;
  let pageTurned = Date.now();

  function pageNote(text) {
    const note = screen.querySelector(".page-note");
    if (note) note.textContent = text;
  }

  /* Split the list's items into pages that each fit the screen at the given scale. */
  function paginate(list, items, scale) {
    const pages = [];
    let page = [];
    clear(list);
    setFit(screen, scale);
    for (const item of items) {
      list.append(item);
      if (page.length && !fits(screen)) {
        pages.push(page);
        page = [];
        clear(list);
        list.append(item);
      }
      page.push(item);
    }
    if (page.length) pages.push(page);
    return pages;
  }

  /* The open answers: all of them when they fit at a readable size, else a page at a time. */
  function fitWall(list) {
    const items = Array.from(list.children);
    const { readable } = limits(screen);
    if (fitScale(screen, readable, 1) !== null) return;
    if (items.length < 2) { fitBox(screen); return; }
    const pages = paginate(list, items, Math.min(1, readable * 1.15));
    pageCount = pages.length;
    pageAt %= pageCount;
    clear(list);
    list.append(...pages[pageAt]);
    pageNote(pageCount > 1 ? ` · page ${pageAt + 1} of ${pageCount}` : "");
    fitBox(screen);
  }

  /* -- The gallery walk ------------------------------------------------------------------- */

  // The grid, or one storyboard at a time: arrow keys step, G goes back to the grid.
  let focus = null;
  let keyPressed = 0;
  document.addEventListener("keydown", (event) => {
    if (!gallery || !gallery.boards.length) return;
    const count = gallery.boards.length;
    if (event.key === "ArrowRight") focus = focus === null ? 0 : (focus + 1) % count;
    else if (event.key === "ArrowLeft") focus = focus === null ? count - 1 : (focus + count - 1) % count;
    else if (event.key === "g" || event.key === "G" || event.key === "Escape") focus = null;
    else return;
    keyPressed = Date.now();
    pageTurned = Date.now();
    render();
  });

  // Words typed without a limit are cut at a word's end, with an ellipsis, to fit a board.
  function shorten(text, limit) {
    if (text.length <= limit) return text;
    const cut = text.slice(0, limit);
    const end = cut.lastIndexOf(" ");
    return `${cut.slice(0, end > limit * 0.6 ? end : limit).trimEnd()}…`;
  }

  function board(b, one) {
    const sections = b.sections.filter((s) => one || s.brief);
    const charts = b.charts.slice(0, one ? 3 : 1);
    return el("article", { class: `board clip${charts.length ? " with-charts" : ""}`, "data-team": b.team_id },
      el("header", {},
        el("h2", {}, b.team),
        el("p", { class: "dots" }, `● ${gallery.dots[String(b.team_id)] || 0}`)),
      b.organisation ? el("p", { class: "organisation" }, b.organisation) : null,
      el("div", { class: "sections" }, sections.map((s) =>
        el("p", {}, el("strong", {}, `${s.label}: `), shorten(s.text, one ? 600 : 220)))),
      charts.length ? el("div", { class: "charts" }, charts.map((c) =>
        el("img", { src: c.src, alt: `Run chart of ${c.name}`, class: "chart" }))) : null);
  }

  /* The grid's shapes, most boards first; a page shows as many boards as fit readably. */
  function shapes() {
    const wide = screen.clientWidth / Math.max(1, screen.clientHeight) > 1.45;
    return wide ? [[4, 3], [4, 2], [3, 2], [2, 2], [3, 1], [2, 1], [1, 1]]
      : [[3, 3], [3, 2], [2, 2], [2, 1], [1, 1]];
  }

  let galleryPlan = null; // {key, columns, rows, scale}

  function drawGalleryPage(grid, boards, columns, rows, at) {
    clear(grid);
    grid.style.setProperty("--columns", String(columns));
    grid.style.setProperty("--rows", String(rows));
    grid.append(...boards.slice(at * columns * rows, (at + 1) * columns * rows).map((b) => board(b, false)));
    // A wide, low board shows its chart beside its words rather than under them.
    const wide = (grid.clientWidth / columns) / Math.max(1, grid.clientHeight / rows) > 1.9;
    grid.classList.toggle("side-charts", wide);
  }

  /* Choose the grid: the most boards a page whose every page fits at a readable size. */
  function planGallery(grid, boards) {
    const key = `${window.innerWidth}x${window.innerHeight}|${stage.className}|${galleryVersion}`;
    if (galleryPlan && galleryPlan.key === key) return galleryPlan;
    const { readable } = limits(screen);
    let plan = null;
    for (const [columns, rows] of shapes()) {
      const size = columns * rows;
      if (size > boards.length && size > 1 && columns * (rows - 1) >= boards.length) continue;
      let scale = 1;
      const pages = Math.ceil(boards.length / size);
      for (let at = 0; at < pages && scale !== null; at += 1) {
        drawGalleryPage(grid, boards, columns, rows, at);
        const fitted = fitScale(screen, readable, scale);
        scale = fitted === null ? null : Math.min(scale, fitted);
      }
      if (scale !== null) { plan = { key, columns, rows, scale }; break; }
    }
    galleryPlan = plan || { key, columns: 1, rows: 1, scale: null };
    return galleryPlan;
  }

  function galleryView(heading) {
    if (!gallery) {
      link.socket.emit("request_gallery", {});
      return [heading, el("p", { class: "lead" }, "Loading the storyboards…")];
    }
    const boards = gallery.boards;
    const note = el("p", { class: "answered page-note", id: "gallery-page" });
    if (focus !== null) {
      focus = Math.min(focus, boards.length - 1);
      note.textContent = `Storyboard ${focus + 1} of ${boards.length} · ← → to browse, G for all`;
      return [heading, note, el("div", { class: "gallery-one", id: "gallery" }, board(boards[focus], true))];
    }
    return [heading, note, el("div", { class: "gallery-grid", id: "gallery" })];
  }

  function fitGallery() {
    const grid = screen.querySelector(".gallery-grid");
    if (!grid) { if (screen.querySelector(".gallery-one")) fitBox(screen); return; }
    const boards = gallery.boards;
    if (!boards.length) { grid.append(el("p", { class: "lead" }, "No storyboards yet.")); return; }
    const plan = planGallery(grid, boards);
    const size = plan.columns * plan.rows;
    pageCount = Math.max(1, Math.ceil(boards.length / size));
    pageAt %= pageCount;
    drawGalleryPage(grid, boards, plan.columns, plan.rows, pageAt);
    pageNote(pageCount > 1 ? `${boards.length} storyboards · page ${pageAt + 1} of ${pageCount}`
      : `${boards.length} storyboard${boards.length === 1 ? "" : "s"}`);
    // Every page fits at the plan's scale; the page's own note may still take a little room.
    if (plan.scale === null || fitScale(screen, limits(screen).least, plan.scale) === null) fitBox(screen);
  }

  // Pages turn by themselves; one storyboard at a time moves on unless a key was pressed lately.
  setInterval(() => {
    if (!room) return;
    const now = Date.now();
    if (gallery && room.session.storyboards_revealed && focus !== null) {
      if (now - keyPressed >= KEYS_HOLD_SECONDS * 1000 && now - pageTurned >= BOARD_SECONDS * 1000) {
        focus = (focus + 1) % gallery.boards.length;
        pageTurned = now;
        render();
      }
    } else if (pageCount > 1 && now - pageTurned >= PAGE_SECONDS * 1000) {
      pageAt = (pageAt + 1) % pageCount;
      pageTurned = now;
      // Back at the first page of storyboards: take them afresh (teams may have edited them).
      if (pageAt === 0 && gallery && room.session.storyboards_revealed) link.socket.emit("request_gallery", {});
      render();
    }
  }, 1000);

  /* -- Drawing ---------------------------------------------------------------------------- */

  let shownKey = null; // what the screen shows: pages start again when it changes

  function render() {
    if (!room) return;
    const joinShown = room.session.join_shown !== false;
    stage.classList.toggle("joining", joinShown);
    stage.classList.toggle("under-way", !joinShown);
    const activity = room.activity;
    const revealed = room.session.storyboards_revealed;
    stage.classList.toggle("agenda-on-screen", !activity && !revealed);
    sideAgenda = agendaItems(room.agenda);
    fitAgenda();

    const key = revealed ? "gallery" : activity ? `a${activity.id}` : "none";
    if (key !== shownKey) { shownKey = key; pageAt = 0; pageTurned = Date.now(); }
    if (!revealed) { gallery = null; focus = null; galleryPlan = null; }
    pageCount = 1;

    clear(screen);
    setFit(screen, 1);
    const now = room.agenda.find((i) => i.current);
    screen.append(el("p", { class: "eyebrow" }, room.session.collaborative));
    if (revealed) {
      screen.append(...galleryView(el("h1", {}, "Gallery walk")));
      if (gallery) fitGallery(); else fitBox(screen);
      return done();
    }
    if (!activity) {
      const list = el("ol", { class: "agenda-list", id: "agenda-now" });
      screen.append(el("h1", {}, now ? now.title : room.session.title),
        now ? el("p", { class: "lead" }, `${now.start}–${now.end}${now.presenter ? " · " + now.presenter : ""}`) : null,
        list);
      const items = agendaItems(room.agenda);
      const current = items.find((li) => li.classList.contains("current"));
      if (current) list.append(current);
      fitBox(screen);
      fitWindow(list, items, screen);
      return done();
    }
    screen.append(el("h1", {}, activity.title));
    if (activity.prompt) screen.append(el("p", { class: "lead" }, activity.prompt));
    if (activity.kind === "question-board") {
      const list = questionList(room.questions || []);
      screen.append(list);
      fitBox(screen);
      // Still too many at the smallest readable size: the lowest-voted leave the screen.
      while (list.tagName === "OL" && list.children.length > 1 && !fits(screen)) list.lastElementChild.remove();
      return done();
    }
    if (activity.kind !== "poll") { fitBox(screen); return done(); }

    const count = results ? results.count : 0;
    screen.append(el("p", { class: "answered", id: "answer-count" },
      `${count} ${activity.team_wide ? "team" : "answer"}${count === 1 ? "" : "s"}`,
      activity.state === "closed" ? " · closed" : activity.state === "ready" ? " · opening soon" : "",
      el("span", { class: "page-note" })));
    if (activity.results_visible && results) {
      const box = el("div", { class: `results kind-${results.type}`, id: "results" }, Polls.results(results));
      screen.append(box);
      const cloud = box.querySelector(".cloud");
      const wall = box.querySelector(".wall");
      const bars = box.querySelector(".bars");
      if (cloud) {
        cloud.classList.add("placed"); // its words are placed once the rest has its size
        fitBox(screen);
        layoutCloud(cloud);
      } else if (wall) fitWall(wall);
      else if (bars && (!bars.classList.contains("vertical") || results.type === "assessment-scale")) {
        // Bars: the label beside its bar, or above it when the labels are long.
        fitBest(screen, [() => box.classList.remove("stacked"), () => box.classList.add("stacked")]);
      } else fitBox(screen);
    } else {
      const waiting = Polls.waiting(activity);
      if (waiting) screen.append(waiting);
      fitBox(screen);
    }
    return done();
  }

  /* The question board: the pinned question big, then the most upvoted open ones; answered
     ones after them, dimmed. Who asked is never shown. */
  function questionList(questions) {
    if (!questions.length) return el("p", { class: "lead" }, "Questions appear here once approved.");
    return el("ol", { class: "question-board", id: "questions" }, questions.map((q) =>
      el("li", { class: [q.pinned ? "pinned" : "", q.answered ? "answered" : ""].join(" ").trim() || null },
        el("span", { class: "votes" }, `▲ ${q.votes}`),
        el("span", { class: "text" }, q.pinned ? el("strong", {}, "Now answering: ") : null, q.text))));
  }

  function done() {
    stage.dataset.fitted = `${window.innerWidth}x${window.innerHeight}`;
  }
})();

/* Shared by the phone, projector and console pages: the socket, the connection indicator,
   an outbox that keeps writes made while offline, and a DOM builder that only ever sets text
   (participants' words are never parsed as HTML). Event names: docs/protocol.md. */
"use strict";

const BSC = (() => {
  // The page's language: the translations of these scripts' words, embedded by the server
  // (curriculum/i18n.py); English needs none. t("Now: {title}", {title}) fills in the values.
  // A page files each translation under key(English), not the English itself (word_key).
  const strings = (() => {
    const source = document.getElementById("strings");
    try { return source ? JSON.parse(source.textContent) : {}; } catch (error) { return {}; }
  })();
  function key(text) {  // FNV-1a over the UTF-16 code units, in base 36
    let sum = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) sum = Math.imul(sum ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return sum.toString(36);
  }
  function lookUp(table, text) {
    if (typeof text !== "string") return undefined;
    const k = key(text);
    return Object.prototype.hasOwnProperty.call(table, k) ? table[k] : undefined;
  }
  function t(text, values) {
    const words = lookUp(strings, text) || text;
    return values ? words.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole)) : words;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      // Custom properties through the CSSOM: the page's CSP allows no inline style attributes.
      else if (key === "style") for (const [prop, v] of Object.entries(value)) node.style.setProperty(prop, v);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  // crypto.randomUUID needs https; phones reach the laptop over plain http on the venue LAN.
  function clientId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  const OUTBOX_KEEPS = 24 * 3600 * 1000;  // a day: live/writes.py forgets ids after two

  function connect(kind, code, onState) {
    const indicator = document.getElementById("connection");
    const outboxKey = `bsc-outbox-${kind}-${code}`;
    let outbox = [];
    try { outbox = JSON.parse(localStorage.getItem(outboxKey) || "[]"); } catch (e) { outbox = []; }
    let sending = false;
    // The page may carry the room as it was when it was served (`digest` names that state):
    // shown at once, and on the first connect the server sends it again only if it changed.
    const initialNode = document.getElementById("initial-state");
    const initial = initialNode ? JSON.parse(initialNode.textContent) : null;
    const auth = { kind, code };
    if (initial && initial.digest) auth.have = initial.digest;
    // A WebSocket at once: on a slow venue network the default (long-polling, then an upgrade)
    // costs three more round trips on every connect. Where a proxy refuses WebSockets the
    // client falls back to long-polling by itself (tryAllTransports).
    const socket = io({ auth, reconnectionDelayMax: 4000, transports: ["websocket", "polling"], tryAllTransports: true });

    let waiting = () => "";  // what the page is waiting for from its user, said in the status
    // Until the first connect (or a couple of failed tries) the page is connecting, not offline.
    let connecting = true;
    let failedTries = 0;
    function show(online) {
      if (!indicator) return;
      const early = !online && connecting;
      indicator.textContent = online
        ? (outbox.length ? t("Sending…") : waiting() || t("Connected"))
        : early ? t("Connecting…") : t("Offline: your answers will be sent when the connection is back");
      indicator.classList.toggle("offline", !online && !early);
      document.body.classList.toggle("is-offline", !online && !early);
    }
    function save() {
      try { localStorage.setItem(outboxKey, JSON.stringify(outbox)); } catch (e) { /* private mode */ }
    }
    const callbacks = {};
    async function flush() {
      if (sending || !socket.connected) return;
      sending = true;
      try {
        while (outbox.length && socket.connected) {
          const item = outbox[0];
          if (Date.now() - (item.at || Date.now()) > OUTBOX_KEEPS) {
            // The server forgets a write's id after two days: one held longer is not sent twice.
            outbox.shift();
            save();
            notice(t("An answer typed more than a day ago could not be sent, and was dropped."));
            continue;
          }
          let reply;
          try {
            reply = await socket.timeout(8000).emitWithAck(item.event, item.payload);
          } catch (e) {
            break; // no answer in time: keep it, try again on reconnect
          }
          outbox.shift();
          if (reply && (reply.code === "busy" || reply.code === "slow_down") && (item.tries = (item.tries || 0) + 1) < 5) {
            // The server was too busy to save it: it goes again after the writes behind it.
            outbox.push(item);
            save();
            setTimeout(flush, 1500);
            break;
          }
          save();
          const done = callbacks[item.payload.client_id];
          delete callbacks[item.payload.client_id];
          if (done) done(reply);
          else if (reply && !reply.ok) notice(reply.error);
        }
      } finally {
        sending = false;
        show(socket.connected);
      }
    }
    /* A write that must arrive once: queued with a client-made id, resent after a reconnect;
       the server applies each id once. */
    function write(event, payload, done) {
      const item = { event, payload: Object.assign({ client_id: clientId() }, payload), at: Date.now() };
      outbox.push(item);
      save();
      if (done) callbacks[item.payload.client_id] = done;
      show(socket.connected);
      flush();
      return item.payload.client_id;
    }
    /* A facilitator command: sent now, answered now (the console shows errors; `done` runs
       once it is carried out). */
    function command(event, payload, done) {
      if (!socket.connected) { notice("Not connected: try again in a moment."); return; }
      socket.timeout(8000).emit(event, payload || {}, (err, reply) => {
        if (err) notice("The server did not answer: try again.");
        else if (reply && !reply.ok) notice(reply.error);
        else if (done) done(reply);
      });
    }
    socket.on("connect", () => {
      connecting = false;
      delete auth.have;  // a later reconnect may have missed changes: it takes the whole state
      show(true);
      flush();
    });
    socket.on("disconnect", () => show(false));
    socket.on("connect_error", (err) => {
      if (++failedTries >= 2) connecting = false;
      show(false);
      // A phone the faculty removed (or one whose link is not valid here) joins again.
      if (kind === "participant" && err && err.message === "not_joined") window.location.assign(`/j/${code}`);
    });
    // The faculty moved or removed this participant: connect again, and take the new state.
    socket.on("rejoin", () => { socket.disconnect(); socket.connect(); });
    const syncClock = (message) => { if (message && message.server_time) skew = Date.parse(message.server_time) - Date.now(); };
    socket.on("state", syncClock);
    socket.on("room", syncClock);  // registered first: the page's own handlers see the clock set
    socket.on("state", (state) => { if (!state.unchanged) onState(state); });
    show(false);
    // Shown once the page's script has finished setting up.
    if (initial) queueMicrotask(() => { syncClock(initial); onState(initial); });
    return {
      socket, write, command, pending: () => outbox.map((x) => x.payload),
      /* Drop every unsent write (this phone leaves its participant: nothing goes out as them). */
      forget() { outbox = []; save(); },
      /* Say in the status what the page waits for (a choice to make), or "" for nothing. */
      waitingFor(describe) { waiting = describe; show(socket.connected); },
    };
  }

  let noticeTimer = null;
  function notice(text) {
    const box = document.getElementById("notice");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { box.hidden = true; }, 6000);
  }

  /* The countdown, in the server's time (phones' clocks drift). The difference between the two
     clocks is measured when a message with `server_time` arrives (see connect), never later:
     a redraw long after the message must not count the time since as drift. */
  let skew = 0;
  let timerTick = null;
  function runTimer(node, timer) {
    clearInterval(timerTick);
    if (!node) return;
    if (!timer) { node.hidden = true; return; }
    node.hidden = false;
    const render = () => {
      let left = timer.running ? Math.round((Date.parse(timer.ends_at) - (Date.now() + skew)) / 1000)
                               : timer.remaining;
      left = Math.max(0, left);
      const text = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
      node.textContent = timer.running ? text : t("{time} (paused)", { time: text });
      node.classList.toggle("done", left === 0);
    };
    render();
    if (timer.running) timerTick = setInterval(render, 1000);
  }

  function renderAgenda(node, agenda, onClick) {
    if (!node) return;
    clear(node);
    for (const item of agenda) {
      const label = `${item.start}–${item.end}  ${item.title}`;
      const child = onClick
        ? el("button", { type: "button", class: "linkish", onclick: () => onClick(item) }, label)
        : label;
      node.append(el("li", { class: item.current ? "current" : "", "aria-current": item.current ? "step" : null },
        child));
    }
  }

  return { el, clear, connect, notice, runTimer, renderAgenda, clientId, t, lookUp };
})();

/* The team's workspace on the phone: aim, measures, drivers, PDSA cycles, the action-period plan,
   commitments and the storyboard, shared live with teammates. Every save names the version it
   started from; if a teammate saved first, the server answers with their text and the phone
   shows both, so no one's words are lost. Also the gallery walk. Event names: docs/protocol.md. */
"use strict";

const Workspace = (() => {
  const { el, clear } = BSC;
  const t = BSC.t;
  // Every worksheet, its fields, labels, hints, limits and choices: from their one definition
  // (curriculum/worksheets.py), written into the page by the server.
  const DEFS = JSON.parse(document.getElementById("worksheets").textContent);
  const SHEETS = DEFS.sheets;
  const sheetNamed = (name) => SHEETS.find((s) => s.name === name);
  let link = null;
  let state = null;      // {workspace, me, roster, driver_diagram, session}
  let open = SHEETS[0].name;  // the tab shown; kept across reloads (see remember/recall)
  const tabKey = () => `bsc-tab-${document.getElementById("room").dataset.code}`;
  function openTab(name) {
    open = name;
    try { localStorage.setItem(tabKey(), name); } catch (e) { /* private mode */ }
  }
  try { const kept = localStorage.getItem(tabKey()); if (kept && sheetNamed(kept)) open = kept; } catch (e) { /* none */ }
  const local = {};      // key -> {value, base, dirty, timer, conflict}
  let gallery = null;

  const key = (itemId, name) => `${itemId || ""}|${name}`;
  const scopeOf = (itemId) => (itemId ? `i${itemId}` : "");
  function server(itemId, name) {
    const scope = state.workspace.fields[scopeOf(itemId)] || {};
    return scope[name] || { value: "", version: 0, by: "" };
  }

  /* Drafts: whatever is typed is kept on the phone from the first keystroke, per field, until
     the server has it; a reload, a lock or a refusal never loses it. */
  const drafts = {
    key: () => `bsc-drafts-${state.session.code}-${state.me.id}`,
    load() { try { return JSON.parse(localStorage.getItem(this.key()) || "{}"); } catch (e) { return {}; } },
    store(all) { try { localStorage.setItem(this.key(), JSON.stringify(all)); } catch (e) { /* private mode */ } },
    keep(k, entry) { const all = this.load(); all[k] = { value: entry.value, base: entry.base }; this.store(all); },
    drop(k) { const all = this.load(); if (k in all) { delete all[k]; this.store(all); } },
  };
  let readOnly = false;  // the console looking over a team's shoulder: nothing is written
  let redrawing = false;  // draw() is replacing the fields: their blur is not the person leaving
  const locked = () => readOnly || Boolean(state && state.session.locked);
  // An entry holds the author's own text while it differs from what the server has.
  const holding = (entry) => entry.dirty || entry.sending || entry.error || entry.conflict;

  function save(itemId, name) {
    const k = key(itemId, name);
    const entry = local[k];
    if (!entry || !entry.dirty || entry.conflict || locked()) return; // a lock keeps it as a draft
    clearTimeout(entry.timer);
    entry.dirty = false;
    entry.sending = true;
    const sent = entry.value;
    link.write("edit_field", { item_id: itemId, name, value: sent, base_version: entry.base }, (reply) => {
      entry.sending = false;
      if (reply.ok) {
        entry.base = reply.version;
        entry.error = null;
        remember(reply);
        if (!entry.dirty) drafts.drop(k);
      } else if (reply.code === "conflict") {
        entry.conflict = reply.current;
        remember(reply.current); // ours stays in the field until the author chooses
      } else if (reply.code === "locked") {
        entry.dirty = true; // sent just as the room was locked: it goes again on unlock
      } else {
        entry.error = reply.error; // refused: the text stays, with the reason beside it
      }
      draw();
    });
  }

  function saveAll() {
    if (readOnly) return;
    for (const [k, entry] of Object.entries(local)) {
      if (entry.dirty) {
        const [itemId, name] = k.split("|");
        save(itemId ? Number(itemId) : null, name);
      }
    }
  }

  /* After a reload: the drafts this phone had not sent go back into their fields, and out. */
  function restoreDrafts() {
    if (readOnly) return;
    const ids = new Set(state.workspace.items.map((i) => String(i.id)));
    for (const [k, draft] of Object.entries(drafts.load())) {
      const [itemId, name] = k.split("|");
      if (itemId && !ids.has(itemId)) {
        drafts.drop(k);
        BSC.notice(t("A teammate removed a row you were writing in. Your text was: {text}", { text: draft.value }));
        continue;
      }
      if (server(itemId ? Number(itemId) : null, name).value === draft.value) { drafts.drop(k); continue; }
      if (!local[k] || !holding(local[k])) local[k] = { value: draft.value, base: draft.base, dirty: true };
    }
  }

  function remember(reply) {
    const scope = scopeOf(reply.item_id);
    state.workspace.fields[scope] = state.workspace.fields[scope] || {};
    // A measure's data comes also by period (`periods`), however its months were written.
    state.workspace.fields[scope][reply.name] = { value: reply.value, version: reply.version, by: reply.by, periods: reply.periods };
  }

  /* One field, drawn from its definition: `input` says how (text, long, choice, date, member,
     data); the label and hint are the definition's. */
  function field(itemId, def, frozen) {
    const shut = locked() || Boolean(frozen);  // a submitted report's fields are read-only
    const name = def.name;
    const id = `f-${itemId || "t"}-${name}`;
    const k = key(itemId, name);
    const saved = server(itemId, name);
    const entry = local[k] || (local[k] = { value: saved.value, base: saved.version, dirty: false });
    if (!holding(entry)) { entry.value = saved.value; entry.base = saved.version; }
    const hintId = def.hint ? `${id}-hint` : null;
    const errorId = entry.error ? `${id}-error` : null;
    const describedBy = [errorId, hintId].filter(Boolean).join(" ") || null;
    let input;
    if (def.input === "idea") {
      // The change ideas of the collaborative's driver diagram, by primary driver, then the team's own.
      const groups = (state.driver_diagram ? state.driver_diagram.primary : []).map((p) => el("optgroup", { label: p.text },
        p.secondary.flatMap((s) => s.changes.map((change, n) => {
          const value = `${s.id}.${n + 1}`;
          return el("option", { value, selected: value === entry.value }, `${value} ${change}`);
        }))));
      const own = server(null, "drivers_own").value.split("\n").map((l) => l.trim()).filter(Boolean);
      if (own.length) groups.push(el("optgroup", { label: label("drivers_own", "driver-diagram") },
        own.map((line) => el("option", { value: `own:${line}`, selected: `own:${line}` === entry.value }, line))));
      input = el("select", { id, "aria-describedby": describedBy, disabled: shut }, el("option", { value: "" }, t("Choose…")), groups);
      if (entry.value && !input.querySelector("option:checked")?.value) input.append(el("option", { value: entry.value, selected: true }, ideaWords(entry.value)));
    } else if (def.input === "choice" || def.input === "member") {
      const options = def.input === "member" ? state.roster.map((n) => ({ value: n, label: n })) : def.choices;
      input = el("select", { id, "aria-describedby": describedBy, disabled: shut }, el("option", { value: "" }, t("Choose…")),
        options.map((o) => el("option", { value: o.value, selected: o.value === entry.value }, o.label)));
      if (entry.value && !options.some((o) => o.value === entry.value)) input.append(el("option", { selected: true }, entry.value));
    } else if (def.input === "long" || def.input === "data") {
      input = el("textarea", { id, rows: 3, maxlength: def.limit, "aria-describedby": describedBy, readonly: shut,
        "aria-invalid": entry.error ? "true" : null });
      input.value = entry.value;
    } else {
      input = el("input", { id, type: def.input === "date" ? "date" : def.input === "month" ? "month" : "text", maxlength: def.limit,
        "aria-describedby": describedBy, readonly: shut, "aria-invalid": entry.error ? "true" : null });
      input.value = entry.value;
    }
    const changed = () => {
      if (shut) return;
      entry.value = input.value;
      entry.dirty = true;
      entry.error = null;
      drafts.keep(k, entry);
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => save(itemId, name), 1200);
    };
    input.addEventListener("input", changed);
    input.addEventListener("change", () => { if (!redrawing) { changed(); save(itemId, name); } });
    input.addEventListener("blur", () => { if (!redrawing) save(itemId, name); });
    const wrap = el("div", { class: "field" + (shut ? " locked" : "") + (entry.error ? " refused" : ""), "data-field": name },
      el("label", { for: id }, def.label), def.hint ? el("small", { class: "hint", id: hintId }, def.hint) : null, input,
      entry.error ? el("p", { class: "field-error", id: errorId, role: "alert" }, t("Not saved: {error}. Your text is kept; correct it and leave the field to try again.", { error: entry.error })) : null);
    if (entry.dirty && shut && !readOnly) wrap.append(el("small", { class: "by" }, t("Kept as a draft: it is sent when editing resumes.")));
    else if (entry.dirty || entry.sending) wrap.append(el("small", { class: "by" }, t("Saving…")));
    else if (saved.by && !entry.conflict && !entry.error) wrap.append(el("small", { class: "by" }, t("saved by {name}", { name: saved.by })));
    if (entry.conflict) {
      wrap.classList.add("conflict");
      wrap.append(el("div", { class: "conflict-box", role: "alert" },
        el("p", {}, entry.conflict.by
          ? t("Not saved yet: {name} saved this while you were typing. Choose which text to keep. Their text:", { name: entry.conflict.by })
          : t("Not saved yet: a teammate saved this while you were typing. Choose which text to keep. Their text:")),
        el("blockquote", {}, entry.conflict.value || t("(empty)")),
        el("div", { class: "row" },
          el("button", { type: "button", onclick: () => {
            entry.value = entry.conflict.value; entry.base = entry.conflict.version; entry.dirty = false; entry.conflict = null;
            drafts.drop(k); draw();
          } }, t("Use their text")),
          el("button", { type: "button", class: "primary", disabled: shut, onclick: () => {
            entry.base = entry.conflict.version; entry.conflict = null; entry.dirty = true; drafts.keep(k, entry); save(itemId, name);
          } }, t("Save mine over it")))));
    }
    return wrap;
  }

  // A field's label, from its definition (in the phone's language): a measure's by default.
  function label(name, sheetName = "measures") {
    const sheet = sheetNamed(sheetName);
    return [...sheet.fields, ...(sheet.rows ? sheet.rows.fields : [])].find((f) => f.name === name).label;
  }

  /* A change idea in words: the driver diagram's (with its id), or the team's own. */
  function ideaWords(value) {
    if (value.startsWith("own:")) return value.slice(4);
    for (const p of state.driver_diagram ? state.driver_diagram.primary : []) {
      for (const s of p.secondary) {
        const n = s.changes.findIndex((_, i) => `${s.id}.${i + 1}` === value);
        if (n >= 0) return `${value} ${s.changes[n]}`;
      }
    }
    return value;
  }

  /* The measures a PDSA cycle should move: ticks among the team's measures, saved as a list. */
  function measureLinks(itemId, def) {
    let chosen = [];
    try { chosen = JSON.parse(server(itemId, def.name).value || "[]"); } catch (e) { chosen = []; }
    const measures = items("measure");
    return el("fieldset", { class: "links", "data-field": def.name }, el("legend", {}, def.label),
      measures.length ? measures.map((m) => el("label", { class: "choice" },
        el("input", { type: "checkbox", checked: chosen.includes(m.id), disabled: locked(), onchange: (e) => {
          const next = new Set(chosen);
          if (e.target.checked) next.add(m.id); else next.delete(m.id);
          const k = key(itemId, def.name);
          const entry = local[k] || (local[k] = { base: server(itemId, def.name).version });
          entry.value = JSON.stringify([...next]); entry.dirty = true; drafts.keep(k, entry); save(itemId, def.name);
        } }), el("span", {}, server(m.id, "name").value || `${label("name")} ${measures.indexOf(m) + 1}`)))
        : el("p", { class: "small" }, t("Add the team's measures in the Measures tab to link them here.")));
  }

  /* The team's PDSA cycles as ramps: the cycles testing one change idea, in order. */
  function ramps() {
    const act = sheetNamed("pdsa").rows.fields.find((f) => f.name === "act");
    const found = new Map();
    items("pdsa").forEach((c, n) => {
      const idea = server(c.id, "change_idea").value || server(c.id, "driver").value;
      if (!idea) return;
      const decided = act.choices.find((o) => o.value === server(c.id, "act").value);
      if (!found.has(idea)) found.set(idea, []);
      found.get(idea).push(t("Cycle {n}", { n: n + 1 }) + (decided ? ` (${decided.label})` : ""));
    });
    if (!found.size) return null;
    return el("div", { class: "ramps" }, el("h3", {}, t("Ramps of cycles")),
      el("ul", {}, [...found].map(([idea, cycles]) => el("li", {}, el("strong", {}, ideaWords(idea)), ": ", cycles.join(" → ")))));
  }

  function items(kind) {
    return state.workspace.items.filter((i) => i.kind === kind);
  }

  function carried(item, rows) {
    if (readOnly) return item.status ? el("p", { class: "small" }, t("From last time: {status}. {note}", { status: item.status, note: item.note || "" })) : null;
    if (!rows.carry_forward || !item.session_id || item.session_id === state.session.id) return null;
    const noteId = `note-${item.id}`;
    const note = el("textarea", { id: noteId, rows: 2, maxlength: 1000 });
    note.value = item.note || "";
    const choose = (status) => link.write("mark_item", { item_id: item.id, status, note: note.value },
      (reply) => { if (!reply.ok) BSC.notice(reply.error); });
    note.addEventListener("change", () => { if (item.status) choose(item.status); });
    return el("div", { class: "carry" }, el("p", {}, t("From last time: how did it go?")),
      el("div", { class: "row" }, DEFS.carried.map((c) =>
        el("button", { type: "button", "aria-pressed": String(item.status === c.value), onclick: () => choose(c.value) }, c.label))),
      el("label", { for: noteId }, t("What happened? (a note for the team)")), note);
  }

  /* A worksheet in a line: its first filled summary field, or that field of each of its rows. */
  function summary(sheet) {
    if (sheet.rows) {
      return items(sheet.rows.kind).map((i) => server(i.id, sheet.summary[0]).value).filter(Boolean).join("; ");
    }
    return sheet.summary.map((n) => server(null, n).value).find(Boolean) || "";
  }

  /* A measure's data, one period at a time: the month (or week), then its numerator and
     denominator or its value, as the measure's kind asks, and what the team tested then.
     What is typed is kept on the phone until the server has it; a refusal shows its reason
     beside the input it is about and keeps every value. */
  const dataForms = {};  // measure row id -> {period, numerator, denominator, value, cycle, note, error, field}
  const dataKey = (itemId) => `bsc-data-${state.session.code}-${state.me.id}-${itemId}`;
  function pad(n) { return String(n).padStart(2, "0"); }
  function lastPeriod(weekly) {
    const d = new Date();
    if (!weekly) { d.setDate(1); d.setMonth(d.getMonth() - 1); return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`; }
    d.setDate(d.getDate() - 7);
    // The ISO week: the week's Thursday decides its year.
    const thursday = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate() + 3 - ((d.getDay() + 6) % 7)));
    const first = new Date(Date.UTC(thursday.getUTCFullYear(), 0, 4));
    const week = 1 + Math.round(((thursday - first) / 86400000 - 3 + ((first.getUTCDay() + 6) % 7)) / 7);
    return `${thursday.getUTCFullYear()}-W${pad(week)}`;
  }
  function dataForm(itemId, weekly) {
    if (!dataForms[itemId]) {
      let kept = null;
      try { kept = JSON.parse(localStorage.getItem(dataKey(itemId)) || "null"); } catch (e) { kept = null; }
      dataForms[itemId] = kept || { period: lastPeriod(weekly), numerator: "", denominator: "", value: "", cycle: "", note: "" };
    }
    return dataForms[itemId];
  }
  function keepDataForm(itemId) {
    const { error, field: which, sending, ...typed } = dataForms[itemId];
    try { localStorage.setItem(dataKey(itemId), JSON.stringify(typed)); } catch (e) { /* private mode */ }
  }


  function dataPanel(item) {
    const kind = server(item.id, "kind").value;
    const weekly = server(item.id, "frequency").value === "weekly";
    const form = dataForm(item.id, weekly);
    const ratio = kind === "proportion" || kind === "rate";
    const id = (name) => `d-${item.id}-${name}`;
    const input = (name, label, attrs, hint) => {
      const wrong = form.field === name && form.error;
      const box = el("input", Object.assign({ id: id(name), readonly: locked(), "aria-invalid": wrong ? "true" : null,
        "aria-describedby": wrong ? id(`${name}-error`) : null }, attrs));
      box.value = form[name];
      box.addEventListener("input", () => { form[name] = box.value; if (form.field === name) { form.error = null; form.field = null; } keepDataForm(item.id); });
      return el("div", { class: "field" + (wrong ? " refused" : ""), "data-entry": name }, el("label", { for: id(name) }, label),
        hint ? el("small", { class: "hint" }, hint) : null, box,
        wrong ? el("p", { class: "field-error", id: id(`${name}-error`), role: "alert" }, t("Not saved: {error}. What you typed is kept.", { error: form.error })) : null);
    };
    const cycles = items("pdsa").map((c, n) => ({ value: String(c.id), label: [t("Cycle {n}", { n: n + 1 }), server(c.id, "test").value].filter(Boolean).join(": ").slice(0, 60) }));
    const cycleWrong = form.field === "cycle" && form.error;
    const cycle = el("select", { id: id("cycle"), disabled: locked() }, el("option", { value: "" }, t("None")),
      cycles.map((c) => el("option", { value: c.value, selected: c.value === form.cycle }, c.label)));
    cycle.addEventListener("change", () => { form.cycle = cycle.value; keepDataForm(item.id); });
    const send = (clear) => {
      if (locked()) return;
      form.sending = true; form.error = null; form.field = null;
      const payload = { item_id: item.id, period: form.period };
      if (clear) payload.clear = true;
      else {
        Object.assign(payload, ratio ? { numerator: form.numerator, denominator: form.denominator } : { value: form.value });
        if (form.cycle) payload.cycle = Number(form.cycle);
        if (form.note.trim()) payload.note = form.note.trim();
      }
      link.write("enter_data", payload, (reply) => {
        form.sending = false;
        if (reply.ok) {
          for (const f of reply.fields) remember({ item_id: reply.item_id, ...f });
          Object.assign(form, { numerator: "", denominator: "", value: "", cycle: "", note: "", saved: reply.period, cleared: clear });
          try { localStorage.removeItem(dataKey(item.id)); } catch (e) { /* private mode */ }
        } else {
          form.error = reply.error; form.field = reply.field || "period";
          form.saved = null;
        }
        draw();
      });
      draw();
    };
    const numerator = server(item.id, "numerator").value;
    const denominator = server(item.id, "denominator").value;
    return el("div", { class: "data-entry", "data-measure": item.id },
      el("h4", {}, weekly ? t("Enter a week's data") : t("Enter a month's data")),
      kind ? null : el("p", { class: "small" }, t("Choose the kind of measure above to enter a numerator and a denominator.")),
      input("period", weekly ? t("Which week") : t("Which month"), { type: weekly ? "week" : "month" }),
      ratio && (numerator || denominator) ? el("p", { class: "small" }, [numerator && `${label("numerator")}: ${numerator}`,
        denominator && `${label("denominator")}: ${denominator}`].filter(Boolean).join(" · ")) : null,
      ratio ? el("div", { class: "pair" },
        input("numerator", label("numerator"), { inputmode: "decimal", maxlength: 20 }),
        input("denominator", label("denominator"), { inputmode: "decimal", maxlength: 20 }))
        : input("value", t("Value"), { inputmode: "decimal", maxlength: 20 }),
      el("div", { class: "field" + (cycleWrong ? " refused" : "") }, el("label", { for: id("cycle") }, t("PDSA cycle tested then")), cycle,
        cycleWrong ? el("p", { class: "field-error", role: "alert" }, t("Not saved: {error}. What you typed is kept.", { error: form.error })) : null),
      input("note", t("Note on the chart"), { maxlength: 200 }, t("what changed that month, in a few words")),
      el("div", { class: "row" },
        el("button", { type: "button", class: "primary", disabled: locked() || form.sending, onclick: () => send(false) }, t("Save")),
        el("button", { type: "button", disabled: locked() || form.sending, onclick: () => send(true) }, t("Take this period out"))),
      form.sending ? el("p", { class: "small", role: "status" }, t("Saving…"))
        : form.saved ? el("p", { class: "small", role: "status" }, form.cleared ? t("Taken out: {period}", { period: form.saved }) : t("Saved: {period}", { period: form.saved })) : null);
  }

  /* A monthly report's own parts: the team's measures that month (from their data), the
     cycles copied in from the PDSA log, the faculty's feedback, and sending it. */
  function reportParts(item, rows) {
    const sent = item.status === "submitted";
    const month = server(item.id, "month").value;
    const values = month ? items("measure").map((m) => {
      const there = (server(m.id, "data").periods || {})[month];
      return there === undefined ? null : `${server(m.id, "name").value || label("name")}: ${there}`;
    }).filter(Boolean) : [];
    const feedbackDef = rows.fields.find((f) => f.input === "feedback");
    const feedback = server(item.id, feedbackDef.name);
    const parts = [];
    if (month) parts.push(el("p", { class: "small" }, values.length ? t("Our measures that month: {values}", { values: values.join("; ") })
      : t("No measure has data for that month yet.")));
    if (!sent && !readOnly) {
      parts.push(el("button", { type: "button", onclick: () => {
        const cycles = items("pdsa").map((c, i) => [t("Cycle {n}", { n: i + 1 }) + ": " + server(c.id, "test").value, server(c.id, "study").value]
          .filter((w) => w && !w.endsWith(": ")).join(" — ")).filter(Boolean);
        const k = key(item.id, "tested");
        const entry = local[k] || (local[k] = { value: server(item.id, "tested").value, base: server(item.id, "tested").version });
        entry.value = [entry.value, ...cycles].filter(Boolean).join("\n").slice(0, 4000);
        entry.dirty = true; drafts.keep(k, entry); save(item.id, "tested"); draw();
      } }, t("Copy our PDSA cycles in")));
      parts.push(el("div", { class: "row" }, el("button", { type: "button", class: "primary", disabled: locked(), onclick: () => {
        if (!confirm(t("Submit this report? The team can no longer change it."))) return;
        saveAll();
        link.write("submit_report", { item_id: item.id }, (reply) => {
          if (!reply.ok) BSC.notice(reply.error);
          else { state.workspace.items = state.workspace.items.map((i) => (i.id === reply.item.id ? reply.item : i)); draw(); }
        });
      } }, t("Submit this report"))));
    }
    if (sent) {
      parts.push(el("p", { class: "small", role: "status" }, t("Submitted by {name}: the faculty have it.", { name: item.note || "" })),
        el("a", { class: "button", href: `/room/${state.session.code}/report/${item.id}.pdf` }, t("This report (PDF)")));
    }
    if (feedback.value) {
      parts.push(el("div", { class: "feedback", role: "note" }, el("h4", {}, feedbackDef.label),
        el("p", {}, feedback.value), feedback.by ? el("small", { class: "by" }, feedback.by) : null));
    }
    return parts;
  }

  function rowsOf(sheet) {
    const rows = sheet.rows;
    const box = [];
    items(rows.kind).forEach((item, n) => {
      const data = rows.fields.find((f) => f.input === "data");
      const named = server(item.id, "name").value;
      const sent = item.status === "submitted";
      box.push(el("fieldset", { class: "item" + (sent ? " submitted" : "") }, el("legend", {}, `${rows.noun} ${n + 1}`),
        carried(item, rows),
        rows.fields.filter((f) => f.input !== "notes" && !f.faculty)
          .map((f) => (f.input === "measures" ? measureLinks(item.id, f) : field(item.id, f, sent))),
        data && !readOnly ? dataPanel(item) : null,
        rows.kind === "report" ? reportParts(item, rows) : null,
        data && server(item.id, data.name).value ? el("img", { class: "chart",
          src: `/room/${state.session.code}/chart/${item.id}.svg?v=${server(item.id, data.name).version}-${server(item.id, "target").version}-${server(item.id, "annotations").version}-${server(item.id, "kind").version}`,
          alt: named ? t("Run chart of {name}, with its median and the rules that fired", { name: named })
            : t("Run chart of this measure, with its median and the rules that fired") }) : null,
        readOnly || sent ? null : el("button", { type: "button", class: "remove", onclick: () => {
          if (confirm(t("Remove this row for the whole team?"))) link.write("remove_item", { item_id: item.id }, (r) => { if (!r.ok) BSC.notice(r.error); });
        } }, t("Remove"))));
    });
    if (!readOnly) box.push(el("button", { type: "button", class: "primary", onclick: () => link.write("add_item", { kind: rows.kind },
      (reply) => { if (!reply.ok) BSC.notice(reply.error); }) }, t("Add a {noun}", { noun: rows.noun.toLowerCase() })));
    return box;
  }

  function sectionBody(name) {
    const sheet = sheetNamed(name);
    const box = el("div", { class: "section-body" });
    for (const other of sheet.recap.map(sheetNamed)) {
      const said = summary(other) || t("(none yet)");
      box.append(el("p", { class: "small" }, `${other.gallery_label || other.title}: ${said}`));
    }
    for (const def of sheet.fields) box.append(def.input === "drivers" ? drivers(def) : field(null, def));
    if (sheet.rows && sheet.rows.kind === "pdsa") { const r = ramps(); if (r) box.append(r); }
    if (sheet.rows) box.append(...rowsOf(sheet));
    return box;
  }

  /* The change ideas of the collaborative's driver diagram, to tick. */
  function drivers(def) {
    const diagram = state.driver_diagram;
    const box = el("div", {});
    let chosen = [];
    try { chosen = JSON.parse(server(null, def.name).value || "[]"); } catch (e) { chosen = []; }
    if (diagram) {
      box.append(el("h3", {}, def.label), el("p", {}, diagram.aim));
      for (const primary of diagram.primary) {
        const group = el("fieldset", { class: "item" }, el("legend", {}, primary.text));
        for (const secondary of primary.secondary) {
          group.append(el("p", { class: "small" }, secondary.text));
          secondary.changes.forEach((change, n) => {
            const id = `${secondary.id}.${n + 1}`;
            group.append(el("label", { class: "choice" },
              el("input", { type: "checkbox", checked: chosen.includes(id), disabled: locked(), onchange: (e) => {
                const next = new Set(chosen);
                if (e.target.checked) next.add(id); else next.delete(id);
                const k = key(null, def.name);
                const entry = local[k] || (local[k] = { base: server(null, def.name).version });
                entry.value = JSON.stringify([...next]); entry.dirty = true; drafts.keep(k, entry); save(null, def.name);
              } }), el("span", {}, change)));
          });
        }
        box.append(group);
      }
    }
    return box;
  }

  function statusLine() {
    const n = Object.values(local).filter((e) => e.conflict).length;
    if (!n) return "";
    return n > 1 ? t("Connected · {n} edits wait for your choice below", { n })
      : t("Connected · {n} edit waits for your choice below", { n });
  }

  function draw() {
    const root = document.getElementById("workspace");
    if (!root || !state) return;
    link.waitingFor(statusLine);
    // Drawing again keeps the person where they were: the field they are in, with its caret
    // or selection. Taking the old field away blurs it; that is not leaving the field, so it
    // saves nothing (a half-typed word goes when they pause or leave, as always).
    const active = document.activeElement;
    const focused = active && root.contains(active) ? active.id : null;
    const caret = focused && typeof active.selectionStart === "number"
      ? [active.selectionStart, active.selectionEnd, active.selectionDirection] : null;
    redrawing = true;
    try { clear(root); } finally { redrawing = false; }
    root.append(el("h2", {}, t("{team}'s workspace", { team: state.me.team.name })));
    if (readOnly) root.append(el("p", { class: "small" }, t("Read-only: what the team sees, as they type it.")));
    else if (locked()) {
      root.append(el("p", { class: "paused", role: "status" },
        t("The facilitator has paused editing for a moment. What you typed is kept and is sent when editing resumes.")));
    }
    const tabs = el("div", { class: "tabs", role: "tablist" }, SHEETS.map((sheet) =>
      el("button", { type: "button", role: "tab", "aria-selected": String(open === sheet.name),
        onclick: () => { openTab(sheet.name); draw(); } }, sheet.tab)));
    root.append(tabs, el("div", { role: "tabpanel" }, sectionBody(open)));
    if (!readOnly) root.append(el("p", { class: "downloads" },
      el("a", { href: `/room/${state.session.code}/plan.pdf`, class: "button" }, t("Download our plan (PDF)")), " ",
      el("a", { href: `/room/${state.session.code}/commitments.ics`, class: "button" }, t("Add commitments to my calendar")), " ",
      el("a", { href: `/room/${state.session.code}/my-calendar.ics`, class: "button" }, t("My reminders (calendar)"))));
    if (focused) {
      const again = document.getElementById(focused);
      if (again) {
        again.focus();
        // Only text takes a caret: a date or select field throws on setSelectionRange.
        if ((again.tagName === "TEXTAREA" || again.type === "text") && again.value) {
          const end = again.value.length;
          const [start, stop, direction] = caret || [end, end, "none"];
          again.setSelectionRange(Math.min(start, end), Math.min(stop, end), direction);
        }
      }
    }
  }

  function drawGallery() {
    const root = document.getElementById("gallery");
    if (!root) return;
    clear(root);
    if (!gallery || !state.session.storyboards_revealed) { root.hidden = true; return; }
    root.hidden = false;
    const mine = gallery.my_dots || [];
    root.append(el("h2", {}, t("Gallery walk")),
      el("p", {}, t("You have {left} of {allowed} dots left.", { left: gallery.dots_allowed - mine.length, allowed: gallery.dots_allowed })));
    for (const board of gallery.boards) {
      const own = board.team_id === state.me.team.id;
      const myHere = mine.filter((id) => id === board.team_id).length;
      root.append(el("article", { class: "card storyboard", "data-team": board.team_id },
        el("h3", {}, board.team, board.organisation ? el("small", {}, ` ${board.organisation}`) : null),
        el("p", { class: "dots" }, dotsText(gallery.dots[String(board.team_id)] || 0)),
        board.sections.map((section) => el("p", {}, el("strong", {}, `${section.label}: `), section.text)),
        board.charts.map((c) => el("img", { src: c.src, alt: t("Run chart of {name}", { name: c.name }), class: "chart" })),
        own ? el("p", { class: "small" }, t("Your team's storyboard")) : el("div", { class: "row" },
          el("button", { type: "button", class: "primary", onclick: () => dot("place_dot", board.team_id) }, t("Place a dot")),
          myHere ? el("button", { type: "button", onclick: () => dot("remove_dot", board.team_id) }, t("Take a dot back")) : null),
        board.comments.length ? el("ul", { class: "comments" }, board.comments.map((c) => el("li", {}, c))) : null,
        own ? null : commentForm(board.team_id)));
    }
  }

  function dotsText(count) {
    return "● " + (count === 1 ? t("{count} dot", { count }) : t("{count} dots", { count }));
  }

  const commentDrafts = {};  // team id -> {text, error}: a comment is kept until the server has it

  function commentForm(teamId) {
    const id = `comment-${teamId}`;
    const draft = commentDrafts[teamId] || (commentDrafts[teamId] = { text: "", error: null });
    const input = el("input", { id, maxlength: 500, "aria-describedby": draft.error ? `${id}-error` : null,
      oninput: (e) => { draft.text = e.target.value; draft.error = null; } });
    input.value = draft.text;
    return el("div", { class: "comment-form" }, el("label", { for: id }, t("Leave a comment")), input,
      draft.error ? el("p", { class: "field-error", id: `${id}-error`, role: "alert" }, t("Not sent: {error}", { error: draft.error })) : null,
      el("button", { type: "button", onclick: () => {
        const text = input.value.trim();
        if (!text) return;
        link.write("add_comment", { team_id: teamId, text }, (r) => {
          if (r.ok) { if (draft.text.trim() === text) draft.text = ""; link.socket.emit("request_gallery", {}); }
          else { draft.error = r.error; drawGallery(); }
        });
      } }, t("Send")));
  }

  function dot(event, teamId) {
    link.write(event, { team_id: teamId }, (reply) => {
      if (!reply.ok) BSC.notice(reply.error);
      link.socket.emit("request_gallery", {});
    });
  }

  return {
    attach(theLink, options) {
      link = theLink;
      readOnly = Boolean(options && options.readOnly);
      link.socket.on("workspace_changed", (msg) => {
        if (!state || msg.team_id !== state.workspace.team_id) return;
        if (msg.event === "edit_field") {
          remember(msg);
          const entry = local[key(msg.item_id, msg.name)];
          const typing = entry && entry.dirty;
          if (!typing) draw();
        } else if (msg.event === "enter_data") {
          for (const f of msg.fields) remember({ item_id: msg.item_id, ...f });
          draw();
        } else if (msg.event === "add_item") {
          if (!state.workspace.items.some((i) => i.id === msg.item.id)) state.workspace.items.push(msg.item);
          draw();
        } else if (msg.event === "remove_item") {
          state.workspace.items = state.workspace.items.filter((i) => i.id !== msg.item_id);
          draw();
        } else if (msg.event === "mark_item" || msg.event === "submit_report") {
          state.workspace.items = state.workspace.items.map((i) => (i.id === msg.item.id ? msg.item : i));
          draw();
        }
      });
      link.socket.on("gallery", (g) => { gallery = g; drawGallery(); });
      link.socket.on("roster", (r) => {
        // Only the owner lists use the roster: draw only when it changed.
        if (!state || JSON.stringify(state.roster) === JSON.stringify(r.names)) return;
        state.roster = r.names;
        draw();
      });
      link.socket.on("dots", (totals) => { if (gallery) { gallery.dots = totals; drawGallery(); } });
      link.socket.on("comments", (byTeam) => {
        if (!gallery || byTeam.console) return;
        for (const board of gallery.boards) board.comments = byTeam[String(board.team_id)] || [];
        drawGallery();
      });
    },
    update(full) {
      const revealedBefore = state && state.session.storyboards_revealed;
      state = full;
      restoreDrafts();
      draw();
      saveAll();
      if (readOnly) return;
      if (state.session.storyboards_revealed && (!revealedBefore || !gallery)) link.socket.emit("request_gallery", {});
      drawGallery();
    },
    room(shared) {
      if (!state) return;
      const revealedBefore = state.session.storyboards_revealed;
      const wasLocked = state.session.locked;
      state.session = shared.session;
      if (wasLocked !== shared.session.locked) {
        draw();
        if (!shared.session.locked) saveAll(); // the drafts kept while locked go now
      }
      if (!readOnly && shared.session.storyboards_revealed && !revealedBefore) link.socket.emit("request_gallery", {});
      drawGallery();
    },
    /* The facilitator pushed a worksheet: open its tab, selected and in view. */
    show(section) {
      if (!section || !sheetNamed(section)) return;
      if (section !== open) { openTab(section); draw(); }
      const tab = document.querySelector('.tabs [aria-selected="true"]');
      if (tab) tab.scrollIntoView({ block: "nearest", inline: "nearest" });
    },
    forget() { if (state) drafts.store({}); },
  };
})();

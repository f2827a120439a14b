/* Poll kinds in the browser: one renderer per kind, keyed by the names defined in
   curriculum/polls.py. Each draws only from what the server sends: the activity (its `spec`,
   `instruction`, `prompt`) and the results its kind tallied. No label, option or limit is
   written here.
     form(activity, value, send, open, draft)
                                        the phone's answer form (`send(value)` answers; text
                                        kinds keep what is typed in `draft`: {text, error, keep})
     results(results)                   the chart: projector, console, and phones once revealed
     waiting(activity)                  the projector before the reveal (or null)
   Adding a kind: its definition in curriculum/polls.py, its renderer here, and its tests. */
"use strict";

const Polls = (() => {
  const { el, clear } = BSC;
  const t = BSC.t;

  // The options are labelled by the prompt shown above them (screen readers read it once).
  function group(activity, open, children) {
    return el("fieldset", { class: "options", disabled: !open, "aria-labelledby": activity.prompt ? "prompt" : null },
      children);
  }

  function radios(activity, value, send, open) {
    const name = `poll-${activity.id}`;
    return group(activity, open, activity.spec.options.map((option, i) =>
      el("label", { class: "choice" },
        el("input", { type: "radio", name, value: i, checked: value === i, onchange: () => send(i) }),
        el("span", {}, option))));
  }

  function sendButton(text, onclick) {
    return el("button", { type: "button", class: "primary", onclick }, text);
  }

  function optionsList(activity) {
    return el("ol", { class: "options-list" }, activity.spec.options.map((o) => el("li", {}, o)));
  }

  /* Bars: a count (and the share of those who answered) per option or point of a scale. */
  function bars(results, opts) {
    const list = el("ol", { class: "bars" + (opts && opts.vertical ? " vertical" : "") });
    const top = Math.max(1, ...results.bars.map((b) => b.count));
    results.bars.forEach((bar, i) => {
      const pct = Math.round((bar.count / top) * 100);
      const right = results.correct === i;
      list.append(el("li", { class: right ? "correct" : null },
        el("span", { class: "label" }, right ? "✓ " : null, bar.label, bar.hint ? el("small", {}, ` ${bar.hint}`) : null),
        el("span", { class: "track" }, el("span", { class: "fill", style: { "--v": `${pct}%` } })),
        el("span", { class: "count" }, String(bar.count)),
        bar.share !== undefined ? el("span", { class: "share" }, `${bar.share}%`) : null));
    });
    return list;
  }

  const distribution = (results) => bars(results, { vertical: true });

  function words(results) {
    const box = el("div", { class: "cloud" });
    const top = Math.max(1, ...results.words.map((w) => w.count));
    for (const w of results.words) {
      const size = 1 + (w.count / top) * 2.2;
      box.append(el("span", { style: { "--s": size.toFixed(2) }, title: `${w.count}` }, w.text));
    }
    return box;
  }

  function wall(results) {
    return el("ul", { class: "wall" }, results.answers.map((a) => el("li", {}, a.text)));
  }

  /* A typed answer: what is typed stays in `draft` (kept on the phone) until the server has it;
     a refusal shows its reason beside the field and leaves the text to correct. */
  function textForm(activity, value, send, open, draft, long, limit, label) {
    const id = `poll-${activity.id}-text`;
    const errorId = draft && draft.error ? `${id}-error` : null;
    const input = el(long ? "textarea" : "input", { id, maxlength: limit, rows: long ? 4 : null, autocomplete: "off",
      "aria-describedby": errorId, "aria-invalid": errorId ? "true" : null,
      oninput: (e) => { if (draft) draft.keep(e.target.value); } });
    input.value = draft && draft.text !== null ? draft.text : typeof value === "string" ? value : "";
    return group(activity, open, [el("label", { for: id }, label), input,
      errorId ? el("p", { class: "field-error", id: errorId, role: "alert" }, t("Not sent: {error}", { error: draft.error })) : null,
      sendButton(t("Send"), () => {
        const text = input.value.trim();
        if (!text) { BSC.notice(t("Type something first.")); return; }
        send(text);
      })]);
  }

  const kinds = {
    choice: { form: radios, results: bars, waiting: optionsList },
    quiz: {
      form: radios,
      results: (results) => el("div", {}, bars(results),
        el("p", { class: "quiz-score" }, t("{share}% chose the right answer", { share: results.right_share }))),
      waiting: optionsList,
    },
    multi: {
      form(activity, value, send, open) {
        const chosen = new Set(Array.isArray(value) ? value : []);
        const boxes = activity.spec.options.map((option, i) => el("label", { class: "choice" },
          el("input", { type: "checkbox", value: i, checked: chosen.has(i) }), el("span", {}, option)));
        return group(activity, open, [boxes, sendButton(t("Send my choices"), () => {
          const picked = boxes.map((b, i) => (b.querySelector("input").checked ? i : -1)).filter((i) => i >= 0);
          if (!picked.length) { BSC.notice(t("Choose at least one.")); return; }
          send(picked);
        })]);
      },
      results: bars,
      waiting: optionsList,
    },
    ranking: {
      form(activity, value, send, open) {
        const options = activity.spec.options;
        const order = Array.isArray(value) ? value.slice() : options.map((_, i) => i);
        const list = el("ol", { class: "ranking" });
        const draw = () => {
          clear(list);
          order.forEach((option, place) => list.append(el("li", {},
            el("span", {}, options[option]),
            el("button", { type: "button", "aria-label": t("Move {option} up", { option: options[option] }), disabled: place === 0,
              onclick: () => { [order[place - 1], order[place]] = [order[place], order[place - 1]]; draw(); } }, "▲"),
            el("button", { type: "button", "aria-label": t("Move {option} down", { option: options[option] }), disabled: place === order.length - 1,
              onclick: () => { [order[place + 1], order[place]] = [order[place], order[place + 1]]; draw(); } }, "▼"))));
        };
        draw();
        return group(activity, open, [list, sendButton(t("Send my order"), () => send(order.slice()))]);
      },
      results: bars,
      waiting: optionsList,
    },
    scale: {
      form(activity, value, send, open) {
        const spec = activity.spec;
        const name = `poll-${activity.id}`;
        const points = [];
        for (let n = spec.min; n <= spec.max; n += 1) points.push(n);
        return group(activity, open, [
          el("div", { class: "scale" }, points.map((n) => el("label", { class: "point" },
            el("input", { type: "radio", name, value: n, checked: value === n, onchange: () => send(n) }),
            el("span", {}, String(n))))),
          el("p", { class: "scale-labels" }, el("span", {}, spec.min_label || ""), el("span", {}, spec.max_label || "")),
        ]);
      },
      results: distribution,
      waiting: () => null,
    },
    "assessment-scale": {
      form(activity, value, send, open) {
        const name = `poll-${activity.id}`;
        return group(activity, open, activity.spec.points.map((point) =>
          el("label", { class: "choice" },
            el("input", { type: "radio", name, value: point.value, checked: value === point.value,
              onchange: () => send(point.value) }),
            el("span", {}, el("strong", {}, point.score), ` ${point.name}`,
              el("small", { class: "hint" }, point.description)))));
      },
      results: distribution,
      waiting: () => null,
    },
    wordcloud: {
      form: (activity, value, send, open, draft) => textForm(activity, value, send, open, draft, false,
        activity.spec.max_words * 31, activity.instruction),
      results: words,
      waiting: () => null,
    },
    open: {
      form: (activity, value, send, open, draft) => textForm(activity, value, send, open, draft, true,
        activity.spec.max_chars, activity.instruction),
      results: wall,
      waiting: () => null,
    },
  };

  const unknown = { form: () => el("p", {}, ""), results: () => null, waiting: () => null };
  const kind = (name) => kinds[name] || unknown;

  return {
    kinds: Object.keys(kinds),
    form: (activity, value, send, open, draft) => kind(activity.poll_type).form(activity, value, send, open, draft),
    results: (results) => (results ? kind(results.type).results(results) : null),
    waiting: (activity) => kind(activity.poll_type).waiting(activity),
  };
})();

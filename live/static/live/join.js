/* The join form: the new team's fields show only while "A team not on the list" is chosen,
   the team code only for an existing team (hidden and not sent otherwise; what was typed in
   them stays, should the choice come back). */
"use strict";

(() => {
  const fields = document.getElementById("new-team");
  const code = document.getElementById("team-code-field");
  const ask = document.getElementById("ask-team");  // only for a team picked from the list
  const radios = document.querySelectorAll('input[name="team"]');
  function show(box, wanted) {
    if (!box) return;
    box.hidden = !wanted;
    box.querySelectorAll("input").forEach((input) => { input.disabled = !wanted; });
  }
  function follow() {
    const chosen = document.querySelector('input[name="team"]:checked');
    show(fields, !chosen || chosen.value === "new");
    show(code, Boolean(chosen) && chosen.value !== "new");
    if (ask) ask.hidden = !chosen || !/^\d+$/.test(chosen.value);
  }
  radios.forEach((radio) => radio.addEventListener("change", follow));
  follow();
})();

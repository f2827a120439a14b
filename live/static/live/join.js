/* The join form: the new team's fields show only while "A team not on the list" is chosen
   (hidden and not sent otherwise; what was typed in them stays, should the choice come back). */
"use strict";

(() => {
  const fields = document.getElementById("new-team");
  if (!fields) return;
  const radios = document.querySelectorAll('input[name="team"]');
  function follow() {
    const chosen = document.querySelector('input[name="team"]:checked');
    const wanted = !chosen || chosen.value === "new";
    fields.hidden = !wanted;
    fields.querySelectorAll("input").forEach((input) => { input.disabled = !wanted; });
  }
  radios.forEach((radio) => radio.addEventListener("change", follow));
  follow();
})();

/* The progress page of a background job, smoother than its meta refresh (which only
   applies without JavaScript): poll the JSON status, update the bar, announce changes of
   state in the aria-live region, and show the outcome in place when the job is done. */
(function () {
  "use strict";
  var box = document.getElementById("taak");
  if (!box || box.getAttribute("data-busy") !== "1" || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("taak-voortgang");
  var percent = document.getElementById("taak-procent");
  var state = document.getElementById("taak-status");
  var step = document.getElementById("taak-stap");
  var hint = document.getElementById("taak-ververs");
  var live = document.getElementById("taak-melding");
  var outcome = document.getElementById("taak-uitkomst");
  var lastState = box.getAttribute("data-state");
  var failures = 0;

  function update(v) {
    bar.value = v.percent;
    bar.textContent = v.percent + "%";
    percent.textContent = v.percent + "%";
    state.textContent = v.state_label;
    step.textContent = v.step;
    if (v.state !== lastState) {
      lastState = v.state;
      box.setAttribute("data-state", v.state);
      live.textContent = v.kind + ": " + v.sentence;
    }
    if (!v.busy) {
      box.setAttribute("data-busy", "0");
      outcome.innerHTML = v.html;  /* rendered and escaped by the server */
      if (hint) { hint.parentNode.removeChild(hint); }
      document.title = document.title.replace(/^[^–]*–/, v.kind + ": " + v.state_label + " –");
      return false;
    }
    return true;
  }

  function poll() {
    window.fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin", cache: "no-store"})
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (v) { failures = 0; if (update(v)) { window.setTimeout(poll, 1000); } })
      .catch(function () {
        failures += 1;
        if (failures >= 5) { window.location.reload(); } else { window.setTimeout(poll, 3000); }
      });
  }
  window.setTimeout(poll, 1000);
}());

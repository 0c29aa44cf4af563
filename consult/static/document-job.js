/* The notes document page while its job runs: poll the job's JSON status, show its state,
   and reload the page (with the new segments) when the job is done. Without JavaScript a
   meta refresh in <noscript> reloads the page instead. */
(function () {
  "use strict";
  var box = document.getElementById("verwerking");
  if (!box || box.getAttribute("data-busy") !== "1" || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var state = document.getElementById("verwerking-status");
  var failures = 0;
  function poll() {
    window.fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin", cache: "no-store"})
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (v) {
        failures = 0;
        if (state) { state.textContent = v.state_label; }
        if (v.busy) { window.setTimeout(poll, 2000); } else { window.location.reload(); }
      })
      .catch(function () {
        failures += 1;
        if (failures >= 5) { window.location.reload(); } else { window.setTimeout(poll, 4000); }
      });
  }
  window.setTimeout(poll, 2000);
}());

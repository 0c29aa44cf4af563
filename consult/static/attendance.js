/* The meeting form: a running total of the attendance fields (progressive enhancement:
   without JavaScript the server shows the total of the values it received). */
(function () {
  "use strict";
  var out = document.getElementById("deelnemers-som");
  if (!out) { return; }
  var fields = Array.prototype.slice.call(document.querySelectorAll("input.attendance-count"));
  function update() {
    var total = 0;
    fields.forEach(function (f) {
      var v = f.value.trim();
      if (/^\d+$/.test(v)) { total += parseInt(v, 10); }
    });
    out.value = String(total);
    out.textContent = String(total);
  }
  fields.forEach(function (f) { f.addEventListener("input", update); });
  update();
}());

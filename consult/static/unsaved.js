/* A form marked data-warn-unsaved asks before the page is left with changes in it that
   were not saved (the finding form shares its page with the evidence search, whose
   "Zoeken" would otherwise drop an edited title or text without a word). */
(function () {
  "use strict";
  function watch(form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) { return undefined; }
      event.preventDefault();
      event.returnValue = "";   // the browser shows its own "leave the page?" question
      return "";
    });
  }
  function ready() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-warn-unsaved]"), watch);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
}());

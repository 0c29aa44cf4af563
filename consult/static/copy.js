/* "Kopieer de code" next to a receipt or resume code (progressive enhancement: the button
   is hidden without JavaScript or without the Clipboard API; the code can always be
   selected and written down). */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var line = button.parentNode;
    var done = line.querySelector(".copy-done");
    if (!source) { return; }
    line.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        done.textContent = "De code is gekopieerd.";
      }, function () {
        done.textContent = "Kopiëren lukte niet. Schrijf de code op.";
      });
    });
  });
}());

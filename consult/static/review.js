/* Keyboard shortcuts for the coding review screen (progressive enhancement: every
   action is a plain form that also works without this script). */
(function () {
  "use strict";
  function segments() { return Array.prototype.slice.call(document.querySelectorAll(".segment[data-segment]")); }
  function current() {
    var el = document.activeElement;
    while (el && el !== document.body) {
      if (el.classList && el.classList.contains("segment")) { return el; }
      el = el.parentElement;
    }
    var marked = document.querySelector(".segment.is-current");
    return marked || null;
  }
  function focusSegment(seg) {
    segments().forEach(function (s) { s.classList.remove("is-current"); });
    if (!seg) { return; }
    seg.classList.add("is-current");
    seg.setAttribute("tabindex", "-1");
    seg.focus();
    seg.scrollIntoView({block: "nearest"});
  }
  function move(step) {
    var list = segments();
    if (!list.length) { return; }
    var i = list.indexOf(current());
    focusSegment(list[Math.min(list.length - 1, Math.max(0, i + step))] || list[0]);
  }
  function press(kind) {
    var seg = current();
    if (!seg) { return; }
    var button = seg.querySelector("button[data-key='" + kind + "']");
    if (button) { button.click(); }
  }
  document.addEventListener("keydown", function (event) {
    var t = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) { return; }
    var handled = true;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a": press("accept"); break;
      case "r": press("reject"); break;
      case "1": case "2": case "3": press("candidate-" + event.key); break;
      case "c": var seg = current(); var sel = seg && seg.querySelector(".add-code select"); if (sel) { sel.focus(); } break;
      case "/": var q = document.getElementById("f-q"); if (q) { q.focus(); } break;
      default: handled = false;
    }
    if (handled) { event.preventDefault(); }
  });
  // After a decision the server sends the list back with #segment-<id> (the next segment
  // to review) or #resultaat: move the keyboard focus there, not to the top of the page.
  function focusTarget() {
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (!target) { return; }
    if (target.classList.contains("segment")) { focusSegment(target); return; }
    if (target.getAttribute("tabindex") === null) { target.setAttribute("tabindex", "-1"); }
    target.focus();
  }
  // The "Kiezen" ticks survive a decision elsewhere on the page (which reloads it): they
  // are kept for this list in the tab's sessionStorage until the bulk form is sent.
  var tickKey = "consult-kiezen:" + location.pathname;
  function ticks() { return Array.prototype.slice.call(document.querySelectorAll("input[form='bulk'][name='assignment']")); }
  function saveTicks() {
    try {
      sessionStorage.setItem(tickKey, JSON.stringify(ticks().filter(function (t) { return t.checked; })
        .map(function (t) { return t.value; })));
    } catch (e) { /* storage off: the ticks simply do not survive */ }
  }
  function restoreTicks() {
    var kept = [];
    try { kept = JSON.parse(sessionStorage.getItem(tickKey) || "[]"); } catch (e) { kept = []; }
    ticks().forEach(function (t) {
      if (kept.indexOf(t.value) >= 0) { t.checked = true; }
      t.addEventListener("change", saveTicks);
    });
    var bulk = document.getElementById("bulk");
    if (bulk) { bulk.addEventListener("submit", function () { try { sessionStorage.removeItem(tickKey); } catch (e) {} }); }
  }
  function ready() { restoreTicks(); focusTarget(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
}());

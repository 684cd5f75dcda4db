/* The HTML report's status filter (sheetsync/report/html.py): the buttons, and
   `#status=conflict` in the URL on load, so that a link can open a filtered view and a headless
   browser can test the filter without clicking. It is inlined into every report and allowed by
   its hash in the report's Content-Security-Policy, the only script a report may run. */
"use strict";
(function () {
  var choices = ["all", "change", "no-op", "conflict", "invalid"];
  var records = Array.prototype.slice.call(document.querySelectorAll("tbody[data-status]"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-filter]"));
  var shown = document.getElementById("shown");
  function show(status) {
    var count = 0;
    records.forEach(function (record) {
      record.hidden = status !== "all" && record.getAttribute("data-status") !== status;
      if (!record.hidden) { count += 1; }
    });
    buttons.forEach(function (button) {
      var on = button.getAttribute("data-filter") === status;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    shown.textContent = status === "all"
      ? (records.length === 1 ? "Showing 1 record." : "Showing all " + records.length + " records.")
      : "Showing " + count + " of " + records.length + " records (" + status + ").";
  }
  function fromHash() {
    var match = /^#status=([a-z-]+)$/.exec(window.location.hash);
    show(match && choices.indexOf(match[1]) >= 0 ? match[1] : "all");
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var status = button.getAttribute("data-filter");
      show(status);
      try { history.replaceState(null, "", "#status=" + status); } catch (e) { /* file: */ }
    });
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();

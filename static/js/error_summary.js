// Issue #15: after a failed submit, move focus to the error summary at the top of the page
// (templates/includes/error_summary.html), so it is read first; its links focus each field.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();

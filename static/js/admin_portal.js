// An admin relationship's approval link: …/AdminPortal/Home#/partners/invitation/
// granularAdminRelationships/{id}. The fragment never reaches the server, so this reads
// it and opens the request's Approve partner roles page.
(function () {
  "use strict";
  var box = document.querySelector("[data-admin-portal]");
  if (!box) { return; }
  var match = /#\/partners\/invitation\/granularAdminRelationships\/([0-9a-fA-F-]{73})$/.exec(window.location.hash);
  if (match) {
    window.location.replace(box.dataset.approvalUrl.replace("RELATIONSHIP-ID", match[1].toLowerCase()));
    return;
  }
  box.querySelector("[data-admin-portal-wait]").hidden = true;
  box.querySelector("[data-admin-portal-unknown]").hidden = false;
})();

// Invitation emails: keep the mailto: link in step with the edited text, and copy it.
// RFC 6068: subject and body are percent-encoded UTF-8; line breaks are CRLF.
(function () {
  "use strict";
  function mailto(to, subject, body) {
    var crlf = body.replace(/\r\n/g, "\n").replace(/\n/g, "\r\n");
    return "mailto:" + encodeURIComponent(to).replace(/%40/g, "@") +
      "?subject=" + encodeURIComponent(subject) + "&body=" + encodeURIComponent(crlf);
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    document.body.removeChild(area);
    return Promise.resolve();
  }
  document.querySelectorAll("[data-invitation]").forEach(function (card) {
    var subject = card.querySelector("[data-invitation-subject]");
    var body = card.querySelector("[data-invitation-body]");
    var link = card.querySelector("[data-invitation-mailto]");
    var copied = card.querySelector("[data-invitation-copied]");
    function refresh() { link.href = mailto(card.dataset.to || "", subject.value, body.value); }
    subject.addEventListener("input", refresh);
    body.addEventListener("input", refresh);
    card.querySelector("[data-invitation-copy]").addEventListener("click", function () {
      copy(body.value).then(function () { copied.hidden = false; });
    });
  });
})();

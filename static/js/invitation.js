// Invitation emails (SPEC §5): keep the mailto: link in step with the edited text, copy it,
// and keep the personalised link in it. The server applies the same rules when it sends.
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
    var to = card.querySelector("[data-invitation-to]");
    var dap = card.querySelector("[data-invitation-dap]");
    var shownUrl = card.querySelector("[data-invitation-url]");
    var url = card.dataset.url || "";
    // The email text, with the link added at the end if the edits removed it.
    function text() {
      var value = body.value.replace(/\r\n/g, "\n");
      if (url && value.indexOf(url) === -1) {
        value = value.replace(/\s+$/, "") + "\n\n" + url + "\n";
      }
      return value;
    }
    function refresh() {
      var address = to ? to.value : (card.dataset.to || "");
      link.href = mailto(address, subject.value, text());
    }
    subject.addEventListener("input", refresh);
    body.addEventListener("input", refresh);
    if (to) { to.addEventListener("input", refresh); }
    if (dap) {
      dap.addEventListener("change", function () {
        var next = dap.checked ? card.dataset.urlDap : card.dataset.urlNoDap;
        body.value = body.value.split(url).join(next);
        url = next;
        if (shownUrl) { shownUrl.textContent = next; }
        refresh();
      });
    }
    card.querySelector("[data-invitation-copy]").addEventListener("click", function () {
      copy(text()).then(function () { copied.hidden = false; });
    });
    refresh();
  });
})();

// Article share links: plain links that open each network's share page. When the member
// is logged in (the list carries data-share-record), a click also tells the portal, which
// pays the "shared" rule. The copy-link button appears only with JavaScript.
(function () {
  "use strict";
  var list = document.querySelector("[data-share-record]") || document.querySelector(".share-links");
  if (!list) return;
  var recordUrl = list.dataset.shareRecord;
  var tokenField = document.querySelector(".article-share input[name=csrfmiddlewaretoken]");

  function record(network) {
    if (!recordUrl || !tokenField || !window.fetch) return;
    var body = new URLSearchParams();
    body.append("network", network);
    fetch(recordUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": tokenField.value, "Accept": "application/json" },
      body: body
    }).catch(function () { /* the share itself already happened */ });
  }

  list.querySelectorAll("a[data-share-network]").forEach(function (link) {
    link.addEventListener("click", function () { record(link.dataset.shareNetwork); });
  });

  var copy = list.querySelector("button[data-copy-url]");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(copy.dataset.copyUrl).then(function () {
        copy.textContent = copy.dataset.copied;
        record("copy");
      });
    });
  }
})();

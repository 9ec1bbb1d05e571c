// Member import (Wagtail admin): while an import runs, poll its JSON status and move the
// progress bar; reload the page once it has finished. Without JavaScript the page has a
// "Refresh" link instead.
(function () {
  "use strict";
  var section = document.querySelector("[data-import-progress]");
  if (!section || !window.fetch) {
    return;
  }
  var url = section.getAttribute("data-status-url");
  var bar = section.querySelector("[data-import-bar]");
  var label = document.querySelector("[data-import-status-label]");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (status) {
        if (!status) {
          return;
        }
        bar.max = status.total;
        bar.value = status.done;
        bar.textContent = status.percent + "%";
        if (label) {
          label.textContent = status.status_label;
        }
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  if (section.hasAttribute("data-running")) {
    window.setTimeout(poll, 1000);
  }
})();

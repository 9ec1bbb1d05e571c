// The exports list (reports app): follows each unfinished export through its JSON status
// endpoint and swaps in the download link when it is ready. Without JS the page has a
// Refresh link.
(function () {
  "use strict";
  var cells = document.querySelectorAll("[data-export-status]");
  var DELAY = 2000;

  function render(cell, data) {
    var label = cell.querySelector("[data-export-label]");
    var bar = cell.querySelector("progress");
    var count = cell.querySelector("[data-export-count]");
    cell.setAttribute("data-status", data.status);
    if (data.download_url) {
      var link = document.createElement("a");
      link.href = data.download_url;
      link.setAttribute("download", "");
      link.textContent = cell.closest("table").getAttribute("data-download-label") || data.status_label;
      cell.replaceChildren(link);
      return true;
    }
    if (label) label.textContent = data.status_label;
    if (bar) bar.value = data.percent;
    if (count) count.textContent = data.total ? data.done + " / " + data.total : String(data.done);
    return data.status === "failed";
  }

  function poll(cell) {
    fetch(cell.getAttribute("data-export-status"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        if (!render(cell, data)) window.setTimeout(function () { poll(cell); }, DELAY);
      })
      .catch(function () { /* the Refresh link still works */ });
  }

  cells.forEach(function (cell) {
    var status = cell.getAttribute("data-status");
    if (status === "pending" || status === "running") poll(cell);
  });
})();

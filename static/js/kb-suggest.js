// Knowledge-base suggestions under the ticket form's subject: as the customer types, up to
// five matching answers are listed (a polite live region announces them). Without this
// script the container stays empty and the form works as before. No inline script: the
// endpoint and the field come from the container's data attributes.
(function () {
  "use strict";
  var box = document.querySelector("[data-kb-suggest]");
  if (!box || !window.fetch) return;
  var input = document.getElementById(box.dataset.for);
  var list = box.querySelector("[data-kb-suggest-list]");
  if (!input || !list) return;
  var MIN_LENGTH = 3;
  var DELAY = 350;
  var timer = null;
  var controller = null;
  var lastQuery = "";

  // Show the suggestions right under the subject field.
  var field = input.closest(".field") || input;
  field.insertAdjacentElement("afterend", box);
  var title = box.querySelector(".kb-suggest-title");

  function clear() {
    list.replaceChildren();
    if (title) title.hidden = true;
  }

  function show(results) {
    list.replaceChildren();
    results.forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = result.url;
      link.textContent = result.title;
      link.target = "_blank";
      link.rel = "noopener";
      item.appendChild(link);
      if (result.snippet) {
        var text = document.createElement("p");
        text.className = "kb-suggest-snippet";
        text.textContent = result.snippet;
        item.appendChild(text);
      }
      list.appendChild(item);
    });
    if (title) title.hidden = results.length === 0;
  }

  function lookUp() {
    var query = input.value.trim();
    if (query === lastQuery) return;
    lastQuery = query;
    if (controller) controller.abort();
    if (query.length < MIN_LENGTH) { clear(); return; }
    controller = window.AbortController ? new AbortController() : null;
    var url = box.dataset.kbSuggest + "?q=" + encodeURIComponent(query);
    fetch(url, {
      headers: { "Accept": "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { show(data.results || []); })
      .catch(function () { /* aborted or offline: keep what is shown */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, DELAY);
  });
})();

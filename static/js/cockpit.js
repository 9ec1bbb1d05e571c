// Cockpit segment form: a live member count as the filters change (debounced). Without
// JavaScript the form's "Count" button does the same with a full page load.
(function () {
  "use strict";
  var form = document.querySelector("form[data-cockpit-count-url]");
  if (!form) {
    return;
  }
  var output = form.querySelector("[data-cockpit-count]");
  var url = form.getAttribute("data-cockpit-count-url");
  var timer = null;
  var latest = 0;

  function refresh() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (key !== "csrfmiddlewaretoken" && key !== "name" && key !== "description") {
        params.append(key, value);
      }
    });
    var ticket = ++latest;
    fetch(url + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" },
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        if (ticket !== latest) {
          return; // an older answer arriving late
        }
        if (data.label) {
          output.textContent = data.label;
        } else if (data.errors) {
          output.textContent = form.getAttribute("data-cockpit-invalid") || "…";
        }
      })
      .catch(function () {});
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();

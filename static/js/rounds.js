// Allocation round page: poll the progress of a run or a publication (plain fetch, no libraries) and confirm publish/cancel.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // The page's Content-Security-Policy allows no inline style: the bar's width is set here.
  document.querySelectorAll(".progress-bar[data-percent]").forEach(function (el) {
    el.style.width = el.getAttribute("data-percent") + "%";
  });
  var bar = document.getElementById("round-progress");
  if (!bar || bar.getAttribute("data-running") !== "true") { return; }
  var fill = bar.querySelector(".progress-bar");
  var label = document.getElementById("round-progress-label");
  var url = bar.getAttribute("data-progress-url");
  function show(data) {
    var percent = Math.max(0, Math.min(100, data.percent || 0));
    bar.setAttribute("aria-valuenow", String(percent));
    fill.style.width = percent + "%";
    fill.textContent = percent + "%";
    if (label) { label.textContent = data.error || data.label || ""; }
  }
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        show(data);
        if (data.state === "running") { window.setTimeout(poll, 1000); }
        else if (data.state === "done" || data.state === "error") { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();

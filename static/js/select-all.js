// A "select all" checkbox (data-select-all="<name>") ticks every checkbox of that name; a static file because
// the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (box) {
    box.addEventListener("click", function () {
      var name = box.getAttribute("data-select-all");
      document.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (c) {
        c.checked = box.checked;
      });
    });
  });
})();

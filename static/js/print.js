// A button marked data-print prints the page (the print stylesheet keeps only the document).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) { window.print(); }
});

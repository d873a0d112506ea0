document.querySelectorAll("[data-relais-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});

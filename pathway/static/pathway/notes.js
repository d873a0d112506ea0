// A sensitive note is read by its author alone unless they choose their structure: when "sensitive" is ticked,
// "me only" is chosen and the wider choices are closed. The server checks the same rule without JavaScript.
(function () {
  "use strict";
  var form = document.querySelector(".relais-note-form");
  if (!form) return;
  var sensitive = form.querySelector("input[name='sensitive']");
  var choices = form.querySelectorAll("input[name='visibility']");
  if (!sensitive || !choices.length) return;
  var narrow = ["structure", "author"];
  function follow(changed) {
    var kept = false;
    choices.forEach(function (choice) {
      choice.disabled = sensitive.checked && narrow.indexOf(choice.value) === -1;
      if (choice.checked && !choice.disabled) kept = true;
    });
    if (sensitive.checked && (changed || !kept)) {
      choices.forEach(function (choice) { choice.checked = choice.value === "author"; });
    }
  }
  sensitive.addEventListener("change", function () { follow(true); });
  follow(false);
})();

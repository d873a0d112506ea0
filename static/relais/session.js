// Warns a few minutes before the session's idle timeout and lets the professional extend it. Every request to the
// server (a page, an autosave) starts a new idle period.
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) {
    return;
  }
  var idle = parseInt(box.dataset.idleSeconds, 10) * 1000;
  var warnBefore = parseInt(box.dataset.warnSeconds, 10) * 1000;
  var text = box.querySelector("[data-session-text]");
  var button = box.querySelector("button");
  var warnTimer = null;
  var endTimer = null;

  function restart() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    box.hidden = true;
    button.hidden = false;
    warnTimer = window.setTimeout(warn, Math.max(idle - warnBefore, 0));
    endTimer = window.setTimeout(expired, idle);
  }

  function delay(milliseconds) {
    var minutes = Math.round(milliseconds / 60000);
    if (minutes < 1) {
      return "moins d'une minute";
    }
    return minutes === 1 ? "1 minute" : minutes + " minutes";
  }

  function warn() {
    text.textContent =
      "Votre session va expirer dans " + delay(warnBefore) + " sans activité. Vos saisies sont gardées en brouillon.";
    box.hidden = false;
    button.focus();
  }

  function expired() {
    text.textContent =
      "Votre session a expiré. Ce que vous avez saisi est gardé en brouillon : reconnectez-vous pour le retrouver.";
    button.hidden = true;
    box.hidden = false;
  }

  button.addEventListener("click", function () {
    var token = document.querySelector("[name=csrfmiddlewaretoken]");
    fetch(box.dataset.extendUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
      redirect: "manual",
    }).then(function (response) {
      if (response.ok) {
        restart();
      } else {
        expired();
      }
    }, expired);
  });
  document.body.addEventListener("htmx:afterRequest", restart);
  restart();
})();

// Commitment Tracker: the only script besides htmx, and the pages work without either.
// Focus after a swap needs none: the server marks the field to focus with `autofocus`, which
// htmx 2 honours. This only says so when a request fails, since htmx 2 swaps no error answer.
(function () {
  "use strict";

  function tell(text) {
    var box = document.getElementById("request-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "request-error";
      box.className = "message message--error";
      box.setAttribute("role", "alert");
      document.getElementById("main").prepend(box);
    }
    box.textContent = text;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    tell(
      status === 403 ? "Your role does not allow this; nothing was changed."
        : status === 404 ? "This is no longer there, or you have no access to it; nothing was changed."
          : "The server could not do this (error " + status + "); nothing was changed. Reload the page and try again."
    );
  });

  document.addEventListener("htmx:sendError", function () {
    tell("The server cannot be reached; nothing was changed. Check your connection and try again.");
  });
})();

// Passkeys: what django-otp-webauthn's scripts (served from static/django_otp_webauthn/, set up
// by the JSON block #otp_webauthn_config) need from our pages besides their markup.
(function () {
  "use strict";

  // Their messages go through gettext, which Django's JavaScript catalog would define; the
  // tracker is in English only, so the words stay as they are (and no extra request).
  if (typeof window.gettext !== "function") {
    window.gettext = function (text) { return text; };
  }

  // A passkey was added: go where the server says (the new recovery codes, shown once, or the
  // two-step sign-in page with the passkey listed). Signing in with one, their script goes on
  // by itself.
  document.addEventListener("otp_webauthn.register_complete", function (event) {
    var answer = event.detail && event.detail.response;
    window.location.assign((answer && answer.redirect_url) || window.location.href);
  });
})();

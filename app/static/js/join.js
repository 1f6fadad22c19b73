// The QR link's page: the sign-in token is in the address. Replace this history entry with
// the plain sign-in page at once, so that the back button, the history list and a later
// reopening on a shared tablet never hold the link. Signing in is the button's POST.
(function () {
  "use strict";
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", "/join");
  }
})();

// Signing out leaves nothing of the user's work in this browser: the drafts the site form keeps (an inspection's
// findings, a firm's people) are removed, so the next person to use a shared phone or computer finds none.
(function () {
  "use strict";
  var form = document.getElementById("logout-form");
  if (!form || !window.localStorage) { return; }
  form.addEventListener("submit", function () {
    var keys = [];
    for (var i = 0; i < localStorage.length; i += 1) {
      var key = localStorage.key(i);
      if (key && key.indexOf("zhizhi-") === 0) { keys.push(key); }
    }
    keys.forEach(function (key) { localStorage.removeItem(key); });
  });
})();

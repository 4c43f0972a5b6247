// The opening hall, live: a countdown to the deadline and a reload whenever the hall's
// state changes (releases, decryption progress, the record). Without JavaScript the page
// refreshes itself (<noscript> meta refresh); the server's clock is the only authority.
(function () {
  "use strict";
  var hall = document.getElementById("opening-hall");
  if (!hall) { return; }
  var url = hall.getAttribute("data-state-url");
  var signature = hall.getAttribute("data-signature");
  var left = parseInt(hall.getAttribute("data-seconds-left"), 10) || 0;
  var started = Date.now();
  var countdown = document.getElementById("countdown");

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    if (!countdown) { return; }
    var s = Math.max(0, left - Math.floor((Date.now() - started) / 1000));
    var days = Math.floor(s / 86400);
    // The unit in the page's language ("%(d)s 天", "%(d)s days"), as the server wrote it.
    var unit = countdown.getAttribute("data-day-unit") || "%(d)s";
    countdown.textContent = (days ? unit.replace("%(d)s", days) + " " : "") +
      pad(Math.floor(s % 86400 / 3600)) + ":" + pad(Math.floor(s % 3600 / 60)) + ":" + pad(s % 60);
  }

  function poll() {
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status !== 200) { return; }
      var state = JSON.parse(request.responseText);
      if (state.signature !== signature) { window.location.reload(); return; }
      left = state.seconds_left;
      started = Date.now();
    };
    request.send();
  }

  tick();
  setInterval(tick, 1000);
  if (hall.getAttribute("data-signature").indexOf("done|") !== 0) {
    setInterval(poll, left > 600 ? 30000 : 5000);
  }
}());

// The launch countdown: "T-2 d 03:14" and seconds, ticking once a second.
// The server renders the first value; this only keeps it moving. The offset between the
// server's clock and this browser's is taken once, so a wrong local clock does not matter.
(function () {
  "use strict";

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function parts(msToT0) {
    var before = msToT0 > 0;
    var total = Math.floor(Math.abs(msToT0) / 1000);
    var days = Math.floor(total / 86400);
    var hours = Math.floor((total % 86400) / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    return {
      label: "T" + (before ? "-" : "+") + days + " d " + pad(hours) + ":" + pad(minutes),
      seconds: ":" + pad(seconds),
    };
  }

  function start(clock) {
    var t0 = Date.parse(clock.dataset.t0);
    var serverNow = Date.parse(clock.dataset.now);
    if (isNaN(t0) || isNaN(serverNow)) {
      return;
    }
    var skew = serverNow - Date.now();
    var label = clock.querySelector(".countdown-label");
    var seconds = clock.querySelector(".countdown-seconds");
    function tick() {
      var shown = parts(t0 - (Date.now() + skew));
      if (label && label.textContent !== shown.label) {
        label.textContent = shown.label;
      }
      if (seconds) {
        seconds.textContent = shown.seconds;
      }
      clock.dataset.ticks = String(Number(clock.dataset.ticks || "0") + 1);
    }
    tick();
    window.setInterval(tick, 1000);
  }

  function init() {
    document.querySelectorAll("[data-countdown]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

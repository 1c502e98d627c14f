// The one-time code's countdown: the page shows the expiry time without script; with it, the
// seconds left (given by the server from the network clock) count down to zero.
(function () {
  "use strict";
  var box = document.getElementById("countdown");
  var value = document.getElementById("countdown-value");
  if (!box || !value) { return; }
  var left = parseInt(box.getAttribute("data-left-s"), 10);
  if (isNaN(left)) { return; }
  var end = Date.now() + left * 1000;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var s = Math.max(0, Math.round((end - Date.now()) / 1000));
    if (s === 0) {
      box.textContent = box.getAttribute("data-expired");
      var code = document.getElementById("code");
      if (code) { code.classList.add("expired"); }
      return;
    }
    value.textContent = Math.floor(s / 60) + ":" + pad(s % 60);
    window.setTimeout(tick, 1000);
  }
  box.hidden = false;
  tick();
}());

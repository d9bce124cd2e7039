// The quiz attempt page: answers saved as they are chosen, and the remaining time.
// Without JavaScript the page still works: each question is a plain form whose buttons save and move on, and the
// server prints the remaining time. With it, a choice is saved at once (an idempotent JSON save keyed by the
// attempt and the question), and a clock counts down. Screen readers hear the clock only at thresholds
// (5 minutes, 1 minute, time over), never every second. Words come from the page (data-msg-*), in its language.
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }

  // --- autosave -----------------------------------------------------------------------------------------------
  var form = $("form[data-save-url]");
  var status = $("#save-status");
  var pending = null;
  var sequence = 0;

  function say(text, kind) {
    if (!status) return;
    status.textContent = text;
    status.className = "save-status" + (kind ? " save-status--" + kind : "");
  }

  // The options' handles for this attempt, as the page names them (opaque strings, never ids).
  function chosen() {
    var handles = [];
    var inputs = form.querySelectorAll("input[data-option]");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].checked) handles.push(inputs[i].value);
    }
    return handles.sort();
  }

  function save() {
    var mine = ++sequence;
    var token = $("input[name=csrf_token]", form);
    say(form.getAttribute("data-msg-saving"), "busy");
    pending = fetch(form.getAttribute("data-save-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": token ? token.value : ""
      },
      body: JSON.stringify({ position: parseInt(form.getAttribute("data-position"), 10), options: chosen() })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (mine !== sequence) return;  // a later choice is on its way; its answer speaks
      if (result.ok) {
        say(form.getAttribute("data-msg-saved"), "ok");
        if (typeof result.body.remaining_seconds === "number") clock.reset(result.body.remaining_seconds);
      } else {
        say((result.body.error && result.body.error.message) || form.getAttribute("data-msg-failed"), "bad");
      }
    }).catch(function () {
      if (mine === sequence) say(form.getAttribute("data-msg-failed"), "bad");
    });
  }

  if (form && window.fetch) {
    form.addEventListener("change", function (event) {
      if (event.target && event.target.hasAttribute("data-option")) save();
    });
  }

  // --- the clock ----------------------------------------------------------------------------------------------
  var timer = $("[data-remaining]");
  var alertBox = $("#timer-alert");
  var clock = { reset: function () {} };

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  if (timer) {
    var shown = $(".timer__value", timer);
    var end = 0;
    var told = {};
    var thresholds = [
      [300, timer.getAttribute("data-msg-5")],
      [60, timer.getAttribute("data-msg-1")],
      [0, timer.getAttribute("data-msg-0")]
    ];
    // The server owns the deadline: the page carries the seconds left when it was made (no trust in this
    // device's clock), and each save answers them again.
    clock.reset = function (seconds) { end = Date.now() + seconds * 1000; };
    clock.reset(parseInt(timer.getAttribute("data-remaining"), 10) || 0);
    for (var t = 0; t < thresholds.length; t++) {
      // Thresholds already passed when the page opened are not announced again after a reload.
      if ((end - Date.now()) / 1000 <= thresholds[t][0]) told[thresholds[t][0]] = true;
    }
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      shown.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
      timer.classList.toggle("timer--low", left <= 60);
      for (var i = 0; i < thresholds.length; i++) {
        var limit = thresholds[i][0];
        if (left <= limit && !told[limit]) {
          told[limit] = true;
          if (alertBox) alertBox.textContent = thresholds[i][1];
        }
      }
      if (left <= 0) {
        clearInterval(handle);
        var after = timer.getAttribute("data-over-url");
        // Let a save in flight land before the page moves on to the end of the attempt.
        Promise.resolve(pending).then(function () { if (after) window.location.assign(after); });
      }
    };
    var handle = setInterval(tick, 1000);
    tick();
  }
})();

// The chat widget (rasa-webchat, installed from npm) against Rasa's socket.io channel on the
// same host. The conversation is kept in sessionStorage only (gone when the tab closes).
// "Wis gesprek" restarts the conversation on the server (which then forgets what came
// before) and clears this tab; "Snel weg" leaves for a neutral site without a history entry.
(function () {
  "use strict";
  var root = document.documentElement;
  var rasaPort = root.getAttribute("data-rasa-port") || "5005";
  var exitUrl = root.getAttribute("data-exit-url") || "https://www.knmi.nl/";
  var socketUrl = window.location.protocol + "//" + window.location.hostname + ":" + rasaPort;
  var widget = null;
  var clearing = false;

  // Empties this tab's storage and keeps it empty until the page is gone: the widget saves
  // its state whenever a message arrives, which may be after the clear and before the
  // reload or the exit.
  function forgetHere() {
    try {
      window.sessionStorage.clear();
      window.Storage.prototype.setItem = function () {};
    } catch (e) { /* storage blocked: nothing kept */ }
  }

  function finishClearing() {
    forgetHere();
    window.location.reload();
  }

  function clearConversation() {
    if (clearing) { return; }
    clearing = true;
    document.getElementById("wis").setAttribute("aria-busy", "true");
    if (widget && widget.sendMessage) {
      // The server answers a restart; wait for that answer (at most 2 s), then clear.
      try { widget.sendMessage("/restart"); } catch (e) { /* not connected: clear anyway */ }
      window.setTimeout(finishClearing, 2000);
    } else {
      finishClearing();
    }
  }

  function quickExit() {
    forgetHere();
    window.location.replace(exitUrl);  // replaces this page's history entry
  }

  // The widget's own controls get Dutch labels for screen readers, new messages are
  // announced, and its answer buttons work from the keyboard.
  function label() {
    var pairs = [
      [".rw-new-message", "aria-label", "Typ je bericht"],
      [".rw-send", "aria-label", "Verstuur"],
      [".rw-messages-container", "aria-live", "polite"],
      [".rw-messages-container", "aria-label", "Berichten"],
    ];
    pairs.forEach(function (p) {
      var el = document.querySelector(p[0]);
      if (el && el.getAttribute(p[1]) !== p[2]) { el.setAttribute(p[1], p[2]); }
    });
    // The widget draws its answer buttons as plain <div>s: make them real buttons for the
    // keyboard (Tab, Enter, Space) and for screen readers.
    document.querySelectorAll(".rw-reply:not([role])").forEach(function (el) {
      el.setAttribute("role", "button");
      el.setAttribute("tabindex", "0");
      el.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          el.click();
        }
      });
    });
  }

  window.WebChat.default(
    {
      initPayload: "/greet",
      socketUrl: socketUrl,
      socketPath: "/socket.io/",
      title: "Wegwijzer",
      subtitle: "Anoniem, je gesprek gaat niet op schijf",
      inputTextFieldHint: "Typ je bericht…",
      connectingText: "Verbinden met de assistent…",
      embedded: true,
      showCloseButton: false,
      showFullScreenButton: false,
      params: { storage: "session" },
      // The widget's default pause grows with message length; long answers then take many
      // seconds to appear. A short fixed pause keeps the "typing" cue without the wait.
      customMessageDelay: function () { return 400; },
      innerRef: function (element) { widget = element; },
      onSocketEvent: {
        bot_uttered: function () { if (clearing) { finishClearing(); } },
      },
    },
    document.getElementById("webchat")
  );

  document.getElementById("wis").addEventListener("click", clearConversation);
  document.getElementById("weg").addEventListener("click", quickExit);
  new MutationObserver(label).observe(document.getElementById("webchat"), { childList: true, subtree: true });
})();

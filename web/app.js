// Starts the chat widget against Rasa's socket.io channel on the same host, port 5005.
// The conversation is kept in sessionStorage only (gone when the tab closes).
(function () {
  "use strict";
  var rasaPort = document.documentElement.getAttribute("data-rasa-port") || "5005";
  var socketUrl = window.location.protocol + "//" + window.location.hostname + ":" + rasaPort;
  window.WebChat.default(
    {
      selector: "#webchat",
      initPayload: "/greet",
      socketUrl: socketUrl,
      socketPath: "/socket.io/",
      title: "Wegwijzer",
      subtitle: "Anoniem, je gesprek gaat niet op schijf",
      inputTextFieldHint: "Typ je bericht…",
      showFullScreenButton: true,
      params: { storage: "session" },
      // The widget's default pause grows with message length; long answers then take many
      // seconds to appear. A short fixed pause keeps the "typing" cue without the wait.
      customMessageDelay: function () { return 400; },
    },
    null
  );
})();

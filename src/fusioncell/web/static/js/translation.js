// fusioncell: a message's machine translation beside the original (templates/_machine_translation.html).
//
// Rules, as in app.js: no inline anything, every word from the template's data-text-* attributes, and the
// translation written in with textContent only, never as HTML. The box the template renders already says that
// this is machine output and not the record; the original above stays as it is. Clicks are handled on the
// document, so cards that arrive later (live updates) work too. Included once per card: it runs once.
(function () {
  "use strict";

  if (window.fusioncellMachineTranslation) return;
  window.fusioncellMachineTranslation = true;

  function say(root, name, values) {
    var text = root.getAttribute(name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function show(target, text) {
    while (target.firstChild) target.removeChild(target.firstChild);
    text.split("\n").forEach(function (line) {
      var paragraph = document.createElement("p");
      paragraph.textContent = line;
      target.appendChild(paragraph);
    });
  }

  function load(root, box) {
    var text = box.querySelector("[data-machine-translation-text]");
    var status = box.querySelector("[data-machine-translation-status]");
    root.setAttribute("data-loading", "true");
    status.textContent = say(root, "data-text-loading");
    window
      .fetch(root.getAttribute("data-url"), {
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json" },
      })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (body) {
            return { ok: response.ok, body: body };
          });
      })
      .catch(function () {
        return { ok: false, body: null };
      })
      .then(function (result) {
        root.removeAttribute("data-loading");
        var body = result.body;
        if (result.ok && body && body.machine_translation === true && typeof body.text === "string") {
          show(text, body.text);
          status.textContent = say(root, "data-text-model", { model: body.model || "" });
          root.setAttribute("data-loaded", "true");
        } else {
          var detail = body && body.error && body.error.message;
          status.textContent = say(root, "data-text-failed") + (detail ? " " + detail : "");
        }
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-machine-translation] > button") : null;
    if (!button) return;
    var root = button.parentNode;
    var box = root.querySelector(".machine-translation-box");
    if (!box) return;
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    box.hidden = open;
    if (!open && !root.hasAttribute("data-loaded") && !root.hasAttribute("data-loading")) load(root, box);
  });
})();

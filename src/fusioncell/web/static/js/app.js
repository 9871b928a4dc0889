// fusioncell web UI behaviour. No framework, no inline handlers: everything is wired here with
// addEventListener, so the pages run under a CSP without 'unsafe-inline' or 'unsafe-eval'.
// htmx itself is configured by <meta name="htmx-config"> in base.html.
// Every text the user reads comes from the templates (data-* attributes), never from this file,
// so translation stays in one place.
(function () {
  "use strict";

  // (b) Confirmation for forms (or submit buttons) carrying data-confirm="Question?".
  // Capture phase on the document: runs before htmx or the browser acts on the submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // (b2) A <select data-autosubmit> sends its form as soon as a choice is made (the language switch);
  // its submit button stays for keyboards and for browsers without script.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select instanceof HTMLSelectElement && select.hasAttribute("data-autosubmit") && select.form) {
      select.form.requestSubmit();
    }
  });

  // (c) Copy to clipboard: <button type="button" data-copy-target="element-id"
  //       data-copy-done="Copied." data-copy-failed="Copy failed; select the text and copy it.">
  // An element with data-copy-status="element-id" (a live region) receives the outcome.
  function copyTargetOf(button) {
    var ref = button.getAttribute("data-copy-target") || "";
    return document.getElementById(ref.replace(/^#/, ""));
  }

  function selectContents(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function legacyCopy(element) {
    selectContents(element);
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  function report(button, ok) {
    var text = button.getAttribute(ok ? "data-copy-done" : "data-copy-failed") || "";
    var ref = (button.getAttribute("data-copy-target") || "").replace(/^#/, "");
    var status = null;
    document.querySelectorAll("[data-copy-status]").forEach(function (el) {
      if (el.getAttribute("data-copy-status") === ref) status = el;
    });
    if (status) status.textContent = text;
    button.classList.toggle("is-copied", ok);
  }

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy-target]") : null;
    if (!button) return;
    event.preventDefault();
    var element = copyTargetOf(button);
    if (!element) return;
    var text = (element.value !== undefined ? element.value : element.textContent).trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { report(button, true); },
        function () { report(button, legacyCopy(element)); }
      );
    } else {
      report(button, legacyCopy(element));
    }
  });

  // Live panels (hx-get polling, e.g. the record status in the footer): when a refresh fails —
  // network down, server error, or the session ended and the server redirected to /login — keep
  // the last content but mark it stale, with the text of the element's data-stale-text, rather
  // than swapping an error or a login form into the panel.
  function staleNote(panel) {
    var note = panel.nextElementSibling;
    if (!note || !note.hasAttribute("data-stale-note")) {
      note = document.createElement("span");
      note.setAttribute("data-stale-note", "");
      note.setAttribute("role", "status");
      note.className = "stale-note";
      panel.insertAdjacentElement("afterend", note);
    }
    return note;
  }

  function markStale(panel, stale) {
    if (!(panel instanceof Element) || !panel.hasAttribute("data-stale-text")) return;
    panel.classList.toggle("is-stale", stale);
    var note = staleNote(panel);
    note.textContent = stale ? panel.getAttribute("data-stale-text") : "";
    note.hidden = !stale;
  }

  function wentToLogin(xhr) {
    try {
      return xhr && xhr.responseURL && new URL(xhr.responseURL).pathname === "/login";
    } catch (e) {
      return false;
    }
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (wentToLogin(detail.xhr) || detail.isError) {
      detail.shouldSwap = false;
      markStale(detail.target, true);
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    markStale(event.detail.target, false);
  });
  document.addEventListener("htmx:sendError", function (event) {
    markStale(event.detail.target || event.detail.elt, true);
  });
  document.addEventListener("htmx:responseError", function (event) {
    markStale(event.detail.target || event.detail.elt, true);
  });

  // (d) Countdowns to a deadline (the hotline's acknowledgements):
  //   <time datetime="due" data-countdown data-rendered-at="the server's clock at render"
  //         data-text-left="{} left" data-text-overdue="overdue by {}">due 12:05:00 UTC</time>
  // The server renders the due time; here it becomes a live countdown, ticking once a second,
  // including in elements inserted later (live updates). The browser's clock may be wrong: the
  // offset to the server's clock is taken when an element is first seen. The due time stays in
  // the title; .is-urgent under a minute, .is-overdue past the deadline.
  var offsets = new WeakMap();

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function duration(ms) {
    var total = Math.floor(Math.abs(ms) / 1000);
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    return (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(seconds);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("datetime") || "");
      if (isNaN(due)) return;
      if (!offsets.has(el)) {
        var rendered = Date.parse(el.getAttribute("data-rendered-at") || "");
        offsets.set(el, isNaN(rendered) ? 0 : rendered - now);
      }
      var left = due - (now + offsets.get(el));
      var overdue = left <= 0;
      var template = el.getAttribute(overdue ? "data-text-overdue" : "data-text-left") || "{}";
      var text = template.replace("{}", duration(left));
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("is-overdue", overdue);
      el.classList.toggle("is-urgent", !overdue && left < 60000);
    });
  }

  tick();
  window.setInterval(tick, 1000);
})();

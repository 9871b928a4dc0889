// fusioncell hotline pages: live updates over the stream (GET /api/v1/stream, Server-Sent Events),
// the composer's small comforts, feedback for failed actions. Loaded only by the hotline pages.
//
// Rules, as in app.js: no inline anything, every text from the templates' data-* attributes, and
// never HTML built from JSON: the stream only says *what* changed; the markup always comes from the
// server (GET /hotline/messages/{id}/fragment, or the page itself), rendered and escaped there.
// Without the stream (not deployed, or down) the pages work as before: reload to see what is new,
// and a slow resync keeps the page from going stale.
(function () {
  "use strict";

  var conversation = document.querySelector("[data-conversation]");
  var regions = document.querySelectorAll("[data-hotline-live]");
  var anchor = conversation || regions[0] || null;
  var channel = conversation ? conversation.getAttribute("data-channel") : null;
  var myParty = anchor ? anchor.getAttribute("data-party") : null;
  // The last ledger index the page reflects: the stream resumes right after it, so nothing that
  // happened between rendering the page and connecting is missed.
  var lastEventId = anchor ? anchor.getAttribute("data-stream-after") : null;
  var list = conversation ? conversation.querySelector("[data-messages]") : null;
  // Only the newest page takes new messages; an "older messages" page only refreshes what it shows.
  var newest = conversation ? !/[?&]before=/.test(window.location.search) : false;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (e) {
      return "";
    }
  }

  function say(element, name, value) {
    var text = (element && element.getAttribute(name)) || "";
    return value === undefined ? text : text.replace("{}", value);
  }

  // ---------- fetching server-rendered markup ----------

  // Resolves to {status, html}; a redirect (the session ended: /login) counts as a failure.
  function fetchHTML(url) {
    return window
      .fetch(url, { credentials: "same-origin", redirect: "manual", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.type === "opaqueredirect") return { status: 0, html: "" };
        return response.text().then(function (html) {
          return { status: response.status, html: html };
        });
      })
      .catch(function () {
        return { status: 0, html: "" };
      });
  }

  function parseElement(html, selector) {
    var template = document.createElement("template");
    template.innerHTML = html; // inert: a template's content runs no script and loads nothing
    return template.content.querySelector(selector);
  }

  function activate(element) {
    if (window.htmx && element) window.htmx.process(element);
  }

  // Someone is typing in it, or has a form of it open: do not pull it from under their hands.
  function busy(element) {
    var active = document.activeElement;
    if (active && element.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return true;
    return !!element.querySelector("details[open]");
  }

  function whenIdle(element, action) {
    if (!busy(element)) {
      action();
      return;
    }
    window.setTimeout(function () {
      if (element.isConnected) whenIdle(element, action);
      else action();
    }, 2000);
  }

  // ---------- the conversation ----------

  function articles() {
    return list ? Array.prototype.slice.call(list.querySelectorAll("article.message[data-message-id]")) : [];
  }

  function announce(element) {
    var region = conversation && conversation.querySelector("[data-announcer]");
    if (region) region.textContent = element.getAttribute("data-announce") || "";
  }

  function lastIsVisible() {
    var all = articles();
    if (!all.length) return true;
    return all[all.length - 1].getBoundingClientRect().top < window.innerHeight;
  }

  // Ids are UUIDv7: their text orders by time, so a message slots in where it belongs.
  function insertInOrder(element) {
    var id = element.getAttribute("data-message-id");
    var after = articles().filter(function (a) {
      return a.getAttribute("data-message-id") > id;
    });
    var empty = list.querySelector("[data-empty]");
    if (empty) empty.remove();
    if (after.length) list.insertBefore(element, after[0]);
    else list.appendChild(element);
  }

  // While the tab is in the background, its title counts what arrived: "(2) Hotline · …".
  var unseen = 0;
  var baseTitle = document.title;

  function countUnseen() {
    if (document.visibilityState === "visible") return;
    unseen += 1;
    document.title = "(" + unseen + ") " + baseTitle;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && unseen) {
      unseen = 0;
      document.title = baseTitle;
    }
  });

  var toMark = [];

  function markRead(element) {
    if (!element.classList.contains("is-unread")) return;
    toMark.push(element.getAttribute("data-message-id"));
    flushReads();
  }

  function flushReads() {
    if (!toMark.length || document.visibilityState !== "visible") return;
    var body = new URLSearchParams();
    toMark.splice(0).forEach(function (id) {
      body.append("ids", id);
    });
    window
      .fetch("/hotline/" + encodeURIComponent(channel) + "/read", {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRF-Token": csrfToken() },
        body: body,
      })
      .catch(function () {});
  }

  document.addEventListener("visibilitychange", flushReads);

  // Put the server's current rendering of one message in place: replace it, insert it, or take it
  // away when the party may no longer read it (a held message returned to its author, say).
  function refreshMessage(id, isNew) {
    if (!list) return Promise.resolve();
    return fetchHTML("/hotline/messages/" + encodeURIComponent(id) + "/fragment").then(function (answer) {
      var current = document.getElementById("msg-" + id);
      if (answer.status === 404) {
        if (current) whenIdle(current, function () { current.remove(); });
        return;
      }
      if (answer.status !== 200) return;
      var fresh = parseElement(answer.html, "article.message");
      if (!fresh) return;
      if (current) {
        whenIdle(current, function () {
          var target = document.getElementById("msg-" + id);
          if (!target) return;
          if (target.classList.contains("is-arriving")) fresh.classList.add("is-arriving");
          target.replaceWith(fresh);
          activate(fresh);
        });
        return;
      }
      if (!isNew || !newest || fresh.getAttribute("data-channel") !== channel) return;
      var follow = lastIsVisible();
      fresh.classList.add("is-arriving");
      insertInOrder(fresh);
      activate(fresh);
      announce(fresh);
      if (!fresh.classList.contains("is-own")) countUnseen();
      markRead(fresh);
      if (follow) fresh.scrollIntoView({ block: "nearest" });
      window.setTimeout(function () {
        fresh.classList.remove("is-arriving");
      }, 8000);
    });
  }

  // After the stream was down: take the page's current rendering and merge it in.
  function resync() {
    if (conversation && list) {
      fetchHTML(window.location.pathname + window.location.search).then(function (answer) {
        if (answer.status !== 200) return;
        var fresh = parseElement(answer.html, "[data-messages]");
        if (!fresh) return;
        fresh.querySelectorAll("article.message[data-message-id]").forEach(function (element) {
          var current = document.getElementById(element.id);
          if (current) {
            whenIdle(current, function () {
              var target = document.getElementById(element.id);
              if (target) {
                target.replaceWith(element);
                activate(element);
              }
            });
          } else if (newest) {
            insertInOrder(element);
            activate(element);
            markRead(element);
          }
        });
      });
    }
    refreshRegions();
  }

  // ---------- live regions: the channel list, the inbox ----------

  var regionTimer = null;

  function refreshRegions() {
    var live = document.querySelectorAll("[data-live-region][id]");
    if (!live.length) return;
    window.clearTimeout(regionTimer);
    regionTimer = window.setTimeout(function () {
      fetchHTML(window.location.pathname + window.location.search).then(function (answer) {
        if (answer.status !== 200) return;
        live.forEach(function (region) {
          var fresh = parseElement(answer.html, "#" + CSS.escape(region.id));
          if (!fresh) return;
          whenIdle(region, function () {
            var target = document.getElementById(region.id);
            if (!target) return;
            target.replaceWith(fresh);
            activate(fresh);
          });
        });
      });
    }, 400);
  }

  // ---------- the stream ----------

  function setStatus(state) {
    if (!conversation) return;
    var element = conversation.querySelector("[data-live-status]");
    if (!element) return;
    element.textContent = say(conversation, "data-text-" + state);
    element.setAttribute("data-state", state);
  }

  function onStreamEvent(event) {
    var data;
    try {
      data = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (event.lastEventId) lastEventId = event.lastEventId;
    if (!data || typeof data !== "object") return;
    var record = data.record && typeof data.record === "object" ? data.record : {};
    var kind = data.kind || event.type;
    if (kind === "message" && data.id) {
      var here = conversation && (!record.channel || record.channel === channel);
      if (here) refreshMessage(String(data.id), true);
      // Unread and to-acknowledge counts elsewhere (here, reading it sends a receipt, below).
      if (!here || !record.channel) refreshRegions();
    } else if ((kind === "receipt" || kind === "escalation") && record.message_id) {
      if (document.getElementById("msg-" + record.message_id)) refreshMessage(String(record.message_id), false);
      // Counts change with the party's own reads and acknowledgements; the inbox with escalations.
      if (kind === "escalation" || record.party === myParty) refreshRegions();
    }
  }

  var source = null;
  var recreated = false;
  var retryDelay = 5000;
  var poller = null;

  function connect() {
    if (!window.EventSource) {
      setStatus("offline");
      return;
    }
    setStatus("connecting");
    // The browser's own reconnections send Last-Event-ID (which the server prefers); the query
    // covers the first connection and a stream opened anew after it was refused.
    var url = "/api/v1/stream" + (/^-?\d+$/.test(lastEventId || "") ? "?last_event_id=" + lastEventId : "");
    try {
      source = new window.EventSource(url);
    } catch (e) {
      setStatus("offline");
      return;
    }
    ["message", "receipt", "escalation", "attachment"].forEach(function (name) {
      source.addEventListener(name, onStreamEvent);
    });
    source.addEventListener("open", function () {
      setStatus("live");
      retryDelay = 5000;
      if (poller) {
        window.clearInterval(poller);
        poller = null;
      }
      // The stream resumes without loss; a resync only guards against what it could not replay.
      if (recreated) resync();
      recreated = false;
    });
    source.addEventListener("error", function () {
      // The browser retries by itself while the state is CONNECTING; a refused stream (an error
      // status, say 404 before the stream is deployed) is CLOSED: retry later, resync meanwhile.
      if (source.readyState === window.EventSource.CLOSED) {
        setStatus("offline");
        source = null;
        recreated = true;
        if (!poller) poller = window.setInterval(resync, 20000);
        window.setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 120000);
      } else {
        setStatus("connecting");
      }
    });
  }

  if (conversation || regions.length) connect();
  window.addEventListener("pagehide", function () {
    if (source) source.close();
  });

  // ---------- actions that fail (htmx): say so, in the page ----------

  function showFailure(detail) {
    if (!conversation) return;
    var box = conversation.querySelector("[data-action-error]");
    if (!box) return;
    var reason = "";
    try {
      reason = JSON.parse(detail.xhr.responseText).error.message;
    } catch (e) {
      reason = detail.xhr && detail.xhr.status ? "HTTP " + detail.xhr.status : "";
    }
    box.textContent = say(conversation, "data-text-failed", reason);
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt.closest("article.message")) showFailure(event.detail);
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt.closest("article.message")) showFailure(event.detail);
  });
  document.addEventListener("htmx:afterSwap", function () {
    var box = conversation && conversation.querySelector("[data-action-error]");
    if (box) box.hidden = true;
  });

  // ---------- the composer ----------

  var composer = document.querySelector("form[data-composer]");
  if (composer) {
    var select = composer.querySelector("[data-precedence-select]");
    if (select) {
      select.addEventListener("change", function () {
        composer.setAttribute("data-precedence", select.value);
      });
    }
    var box = composer.querySelector("textarea[name=body]");
    if (box) {
      // Ctrl+Enter (Cmd+Enter) sends, as in most message tools.
      box.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          composer.requestSubmit();
        }
      });
    }
    // Files the server would refuse (too many, too large together, a type not accepted) are named
    // before anything is sent; the server checks them all again.
    var picker = composer.querySelector("input[data-attachments]");
    if (picker) {
      picker.addEventListener("change", function () {
        var accepted = (picker.getAttribute("accept") || "").split(",");
        var chosen = Array.prototype.slice.call(picker.files || []);
        var total = chosen.reduce(function (sum, file) {
          return sum + file.size;
        }, 0);
        var refused = chosen.filter(function (file) {
          return accepted.indexOf(file.type) < 0;
        })[0];
        var problem = "";
        if (chosen.length > Number(picker.getAttribute("data-max-files"))) {
          problem = say(picker, "data-text-too-many");
        } else if (refused) {
          problem = say(picker, "data-text-type", refused.name);
        } else if (total > Number(picker.getAttribute("data-max-bytes"))) {
          problem = say(picker, "data-text-too-large");
        }
        picker.setCustomValidity(problem);
        if (problem) picker.reportValidity();
      });
    }
    // One send per click: the button is disabled once the form goes (the form's key makes a
    // repeated submit harmless anyway).
    composer.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      var button = composer.querySelector("button[type=submit]");
      if (button) {
        window.setTimeout(function () {
          button.disabled = true;
        }, 0);
      }
    });
  }

  // Open on the latest messages (unless the address points at one).
  if (conversation && !window.location.hash && newest) {
    var target = document.getElementById("composer") || articles().pop();
    if (target) target.scrollIntoView({ block: "end" });
  }
})();

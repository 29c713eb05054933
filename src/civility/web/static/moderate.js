// Keyboard shortcuts and in-place updates for the moderation queue.
// The page works without this file: every button is a plain form submission.
(function () {
  "use strict";
  var current = 0;
  var SHORTCUTS_KEY = "civility.shortcuts";
  var TEXT_INPUTS = /^(text|search|email|password|number|url|tel|date|datetime-local|month|time|week)$/;

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue .item"));
  }

  // Highlights the comment at ``index``; with ``moveFocus`` the keyboard focus goes there too,
  // so a screen reader reads the comment that j/k moved to.
  function focusItem(index, moveFocus) {
    var list = items();
    if (!list.length) { current = 0; return; }
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (el, k) {
      el.classList.toggle("current", k === current);
      if (k === current) { el.setAttribute("aria-current", "true"); } else { el.removeAttribute("aria-current"); }
    });
    if (moveFocus) { list[current].focus(); }
    list[current].scrollIntoView({ block: "nearest" });
  }

  function shortcutsOn() {
    try { return window.localStorage.getItem(SHORTCUTS_KEY) !== "off"; } catch (e) { return true; }
  }

  function setShortcuts(on) {
    try { window.localStorage.setItem(SHORTCUTS_KEY, on ? "on" : "off"); } catch (e) { /* private mode */ }
    document.body.classList.toggle("shortcuts-off", !on);
  }

  function setMessages(notice, error) {
    var ok = document.getElementById("notice");
    var bad = document.getElementById("error");
    if (ok) { ok.textContent = notice || ""; }
    if (bad) { bad.textContent = error || ""; }
  }

  function openHelp() {
    var help = document.getElementById("help");
    if (help && !help.open) { help.showModal(); }
  }

  // The server answers a decision it could not apply (the session ended, or the form's token
  // went stale) with a redirect that carries the decision: follow it, so it is asked again.
  function carriesDecision(response) {
    return response.redirected && /[?&](pending|next)=/.test(response.url);
  }

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var region = document.getElementById("queue-region");
    var hadFocus = region && (region.contains(document.activeElement) || document.activeElement === document.body);
    document.body.classList.add("busy");
    // form.getAttribute: the form has a field named "action", which shadows form.action.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: new URLSearchParams(data),
      headers: { "X-Civility-Partial": "1" },
      credentials: "same-origin"
    }).then(function (response) {
      if (carriesDecision(response)) { window.location.assign(response.url); return null; }
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("queue-region");
        var old = document.getElementById("queue-region");
        if (!fresh || !old) {
          var refusal = doc.getElementById("refusal");
          setMessages("", refusal ? refusal.textContent : "The server refused this decision (HTTP " + response.status + "); nothing was changed.");
          return;
        }
        old.replaceWith(fresh);
        setMessages(fresh.getAttribute("data-notice"), fresh.getAttribute("data-error"));
        focusItem(current, hadFocus);
      });
    }).catch(function () {
      setMessages("", "The server could not be reached; nothing was changed.");
    }).finally(function () {
      document.body.classList.remove("busy");
    });
  }

  function follow(selector) {
    var link = document.querySelector(selector);
    if (link) { window.location.assign(link.href); return true; }
    return false;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "queue-form") { return; }
    event.preventDefault();
    var submitter = event.submitter;
    var value = submitter && submitter.value ? String(submitter.value) : "";
    var bulkBan = submitter && submitter.name === "bulk" && form.elements.namedItem("action").value === "ban";
    if ((value.indexOf("ban:") === 0 || bulkBan) &&
        !window.confirm("Reject and ban the author?")) { return; }
    send(form, submitter);
  });

  document.addEventListener("focusin", function (event) {
    var item = event.target.closest ? event.target.closest("#queue .item") : null;
    if (item) { focusItem(items().indexOf(item), false); }
  });

  // Typing into a field is never a shortcut; checkboxes and buttons are not typed into.
  function typing(target) {
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable) { return true; }
    return tag === "INPUT" && TEXT_INPUTS.test(target.type || "text");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target) || document.querySelector("dialog[open]") || !shortcutsOn()) { return; }
    var item = items()[current];
    var key = event.key;
    if (key === "j") { focusItem(current + 1, true); }
    else if (key === "k") { focusItem(current - 1, true); }
    else if (item && (key === "a" || key === "r" || key === "b")) {
      var button = item.querySelector('button[data-key="' + key + '"]');
      if (button) { button.click(); }
    }
    else if (item && key === "x") {
      var box = item.querySelector('input[type="checkbox"]');
      if (box) { box.checked = !box.checked; }
    }
    else if (/^[1-9]$/.test(key)) {
      if (!follow('.tabs a[data-key="' + key + '"]')) { return; }
    }
    else if (key === "u") {
      var undo = document.getElementById("undo-button");
      if (!undo) { return; }
      undo.click();
    }
    else if (key === "n") { if (!follow("#page-next")) { return; } }
    else if (key === "p") { if (!follow("#page-prev")) { return; } }
    else if (key === "?") { openHelp(); }
    else { return; }
    event.preventDefault();
  });

  // "N new comments": asks the server every POLL_MS how many comments arrived in this queue
  // since the newest one the page was rendered with; the list itself is never moved under the
  // moderator's hands, a link reloads it.
  var POLL_MS = 15000;
  function poll() {
    var live = document.getElementById("live");
    var region = document.getElementById("queue-region");
    if (!live || !region || document.hidden) { return; }
    var url = live.getAttribute("data-poll") + "&after=" + encodeURIComponent(region.getAttribute("data-latest") || "0");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body || typeof body["new"] !== "number") { return; }
        var count = body["new"];
        live.textContent = "";
        if (!count) { return; }
        var link = document.createElement("a");
        link.href = window.location.pathname + window.location.search;
        link.id = "live-show";
        link.textContent = count + " new comment" + (count === 1 ? "" : "s") + ": show them";
        live.appendChild(link);
      })
      .catch(function () { /* offline for a moment: the next poll will tell */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.getElementById("live")) {
      window.setInterval(poll, POLL_MS);
    }
    var toggle = document.getElementById("shortcuts-enabled");
    setShortcuts(shortcutsOn());
    if (toggle) {
      toggle.checked = shortcutsOn();
      toggle.addEventListener("change", function () { setShortcuts(toggle.checked); });
    }
    var helpButton = document.getElementById("help-button");
    if (helpButton) { helpButton.addEventListener("click", openHelp); }
    var pending = document.getElementById("pending-apply");
    if (pending) { pending.focus(); } else { focusItem(0, false); }
  });
})();

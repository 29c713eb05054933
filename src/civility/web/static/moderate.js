// Keyboard shortcuts and in-place updates for the moderation queue.
// The page works without this file: every button is a plain form submission.
(function () {
  "use strict";
  var current = 0;

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue .item"));
  }

  function focusItem(index) {
    var list = items();
    if (!list.length) { current = 0; return; }
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (el, k) {
      el.classList.toggle("current", k === current);
      if (k === current) { el.setAttribute("aria-current", "true"); } else { el.removeAttribute("aria-current"); }
    });
    list[current].scrollIntoView({ block: "nearest" });
  }

  function setNotice(text) {
    var notice = document.getElementById("notice");
    if (notice) { notice.textContent = text; }
  }

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    document.body.classList.add("busy");
    // form.getAttribute: the form has a field named "action", which shadows form.action.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: new URLSearchParams(data),
      headers: { "X-Civility-Partial": "1" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("queue-region");
        var region = document.getElementById("queue-region");
        if (!fresh || !region) { window.location.reload(); return; }
        region.replaceWith(fresh);
        focusItem(current);
      });
    }).catch(function () {
      setNotice("The server could not be reached; nothing was changed.");
    }).finally(function () {
      document.body.classList.remove("busy");
    });
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

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.id === "filters") { form.submit(); }
  });

  document.addEventListener("click", function (event) {
    var item = event.target.closest ? event.target.closest("#queue .item") : null;
    if (item) { focusItem(items().indexOf(item)); }
  });

  document.addEventListener("keydown", function (event) {
    var tag = event.target.tagName;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    var list = items();
    var item = list[current];
    if (event.key === "j") { focusItem(current + 1); }
    else if (event.key === "k") { focusItem(current - 1); }
    else if (item && (event.key === "a" || event.key === "r" || event.key === "b")) {
      var button = item.querySelector('button[data-key="' + event.key + '"]');
      if (button) { button.click(); }
    }
    else if (item && event.key === "x") {
      var box = item.querySelector('input[type="checkbox"]');
      if (box) { box.checked = !box.checked; }
    }
    else { return; }
    event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () { focusItem(0); });
})();

// Meridian's page script: send the CSRF token with htmx requests, add form
// rows, suggest existing parties as a name is typed, and confirm merges.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  document.addEventListener("htmx:configRequest", function (e) {
    if (meta) e.detail.headers["X-CSRF-Token"] = meta.content;
  });

  // "Add a …" buttons clone the last row of their list with the next index.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("button[data-add]");
    if (!btn) return;
    var list = btn.getAttribute("data-add");
    var rows = document.querySelectorAll('[data-list="' + list + '"]');
    if (!rows.length) return;
    var last = rows[rows.length - 1];
    var next = Number(last.getAttribute("data-index")) + 1;
    var copy = last.cloneNode(true);
    copy.setAttribute("data-index", String(next));
    copy.querySelectorAll("[name],[id],[for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var v = el.getAttribute(attr);
        if (v) el.setAttribute(attr, v.replace(/\[\d+\]/, "[" + next + "]").replace(/-\d+-/, "-" + next + "-"));
      });
      if (el.tagName === "INPUT" && el.type !== "checkbox") el.value = "";
      if (el.tagName === "SELECT") el.selectedIndex = 0;
    });
    copy.querySelectorAll(".field-error, [data-role=linked]").forEach(function (el) { el.textContent = ""; });
    copy.querySelectorAll(".invalid").forEach(function (el) { el.classList.remove("invalid"); });
    last.after(copy);
    var first = copy.querySelector("input:not([type=hidden])");
    if (first) first.focus();
  });

  // Party suggestions: ask the registry as the name is typed.
  var timer = null;
  function closeAll() { document.querySelectorAll("ul.suggestions").forEach(function (u) { u.remove(); }); }
  document.addEventListener("input", function (e) {
    var input = e.target.closest("input[data-suggest]");
    if (!input) return;
    var row = input.closest(".party-row");
    var pid = row && row.querySelector("[data-role=party_id]");
    var linked = row && row.querySelector("[data-role=linked]");
    if (pid) pid.value = "";           // typing again unlinks the record
    if (linked) linked.textContent = "";
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { closeAll(); return; }
    timer = setTimeout(function () {
      var kindSel = row && row.querySelector("[data-role=kind]");
      var kind = kindSel ? kindSel.value : input.getAttribute("data-suggest");
      fetch("/api/v1/parties/suggest?limit=6&kind=" + encodeURIComponent(kind) + "&q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) { show(input, row, items); })
        .catch(function () {});
    }, 200);
  });
  function show(input, row, items) {
    closeAll();
    if (!items.length) return;
    var ul = document.createElement("ul");
    ul.className = "suggestions";
    ul.setAttribute("role", "listbox");
    items.forEach(function (s) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.setAttribute("role", "option");
      b.textContent = s.legal_name + (s.country ? " (" + s.country + ")" : "") + (s.matched_name && s.matched_name !== s.legal_name ? " — matched “" + s.matched_name + "”" : "");
      b.addEventListener("click", function () {
        input.value = s.legal_name;
        if (row) {
          var set = function (role, v) { var el = row.querySelector("[data-role=" + role + "]"); if (el && v) el.value = v; };
          set("party_id", s.id); set("country", s.country); set("sector", s.sector); set("kind", s.kind);
          var linked = row.querySelector("[data-role=linked]");
          if (linked) linked.textContent = "linked to registry record";
        }
        closeAll();
        input.focus();
      });
      li.appendChild(b);
      ul.appendChild(li);
    });
    input.parentNode.appendChild(ul);
  }
  document.addEventListener("click", function (e) { if (!e.target.closest(".suggestions")) closeAll(); });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") closeAll(); });

  document.addEventListener("submit", function (e) {
    var btn = e.submitter;
    var msg = btn && btn.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
})();

// Remediation pages. Evidence upload: a translated "choose files" button listing what was picked.
// Task creation: filter the unit checklist, count the ticked units, show the default due date.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  function enhanceFilePickers() {
    document.querySelectorAll(".file-picker").forEach(function (box) {
      var input = box.querySelector("input[type=file]");
      var names = box.querySelector(".file-names");
      if (!input || !names || box.classList.contains("is-enhanced")) return;
      box.classList.add("is-enhanced");
      function show() {
        var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
        if (!files.length) names.textContent = box.dataset.empty;
        else if (files.length === 1) names.textContent = files[0];
        else names.textContent = box.dataset.many.replace("%(n)s", files.length) + " " + files.join(", ");
      }
      input.addEventListener("change", show);
      show();
    });
  }

  ready(function () {
    enhanceFilePickers();
    var list = document.getElementById("unit-checklist");
    var search = document.getElementById("unit-search");
    var count = document.getElementById("unit-count");
    if (list && search) {
      search.addEventListener("input", function () {
        var q = search.value.trim().toLowerCase();
        list.querySelectorAll(".unit-check").forEach(function (row) {
          row.hidden = q !== "" && row.dataset.name.indexOf(q) === -1;
        });
      });
    }
    function updateCount() {
      if (!list || !count) return;
      var n = list.querySelectorAll("input:checked").length;
      count.textContent = n ? count.dataset.template.replace("%(n)s", n) : "";
    }
    if (list) list.addEventListener("change", updateCount);
    updateCount();

    var severity = document.getElementById("id_severity");
    var hint = document.getElementById("due-hint");
    var due = document.getElementById("id_due_date");
    if (severity && hint && due) {
      var policy = JSON.parse(hint.dataset.policy || "{}");
      function updateDue() {
        document.querySelectorAll(".policy-table tr").forEach(function (tr) {
          tr.classList.toggle("is-selected", tr.dataset.severity === severity.value);
        });
        if (policy[severity.value] && hint.dataset.template) {
          hint.textContent = hint.dataset.template.replace("%(date)s", policy[severity.value]);
        }
      }
      severity.addEventListener("change", updateDue);
      updateDue();
    }
  });
})();

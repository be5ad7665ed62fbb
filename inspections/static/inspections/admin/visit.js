// The visit form: show the checklist of the chosen version, offer a finding for a 不符合 item,
// and add up a quality template's score as it is filled in. The server computes the stored
// score and grade again; this only lets the inspector see them before saving.
(function () {
  "use strict";
  function setup(root) {
    var field = document.getElementsByName(root.dataset.templateField)[0];
    var sections = root.querySelectorAll(".checklist-section");
    function showChosen() {
      if (!field || sections.length < 2) { return; }
      sections.forEach(function (s) { s.hidden = s.dataset.template !== field.value; });
    }
    function grade(total, vetoed) {
      if (vetoed) { return "D"; }
      var grades = ["a", "b", "c"];
      for (var i = 0; i < grades.length; i++) {
        var min = parseFloat(root.dataset["grade" + grades[i].toUpperCase()] || root.getAttribute("data-grade-" + grades[i]));
        if (!isNaN(min) && total >= min) { return grades[i].toUpperCase(); }
      }
      return "D";
    }
    function refresh() {
      root.querySelectorAll(".checklist-row").forEach(function (row) {
        var no = row.querySelector('input[type=radio][value="no"]:checked');
        row.classList.toggle("is-no", !!no);
      });
      sections.forEach(function (s) {
        var out = s.querySelector("[data-total]");
        if (!out) { return; }
        var total = 0;
        s.querySelectorAll("input[data-points]").forEach(function (input) {
          var v = parseFloat(input.value), max = parseFloat(input.dataset.points);
          if (!isNaN(v)) { total += Math.max(0, Math.min(v, max)); }
        });
        var vetoed = !!s.querySelector('input[data-veto][value="no"]:checked');
        out.textContent = String(total);
        s.querySelector("[data-grade]").textContent = grade(total, vetoed);
      });
    }
    if (field) { field.addEventListener("change", showChosen); }
    root.addEventListener("change", refresh);
    root.addEventListener("input", refresh);
    showChosen();
    refresh();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".checklist-answers").forEach(setup);
  });
})();

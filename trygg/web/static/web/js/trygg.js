// Small progressive enhancements. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".menu-toggle");
    if (!toggle) return;
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.closest(".site-header").classList.toggle("is-open", open);
  });
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit") && event.target.tagName === "SELECT") {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });
  // A select whose options belong to another field's choice (data-depends-on: that
  // field's id; data-parent on each option): only the current choice's options are offered.
  function narrow(select) {
    var parent = document.getElementById(select.getAttribute("data-depends-on"));
    if (!parent) return;
    Array.prototype.forEach.call(select.options, function (option) {
      var owner = option.getAttribute("data-parent");
      var offered = !owner || !parent.value || owner === parent.value;
      option.hidden = !offered;
      option.disabled = !offered;
      if (!offered && option.selected) select.value = "";
    });
  }
  function narrowAll() {
    document.querySelectorAll("select[data-depends-on]").forEach(narrow);
  }
  document.addEventListener("change", function (event) {
    if (event.target.id) {
      document.querySelectorAll('select[data-depends-on="' + event.target.id + '"]').forEach(narrow);
    }
  });
  // A category's extra questions (fieldset data-questions-for: the category's value) are
  // shown only while that category is chosen; without JavaScript all of them show.
  function showQuestions() {
    var chosen = document.querySelector('input[name="category"]:checked');
    document.querySelectorAll("fieldset[data-questions-for]").forEach(function (set) {
      set.hidden = !chosen || set.getAttribute("data-questions-for") !== chosen.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "category") showQuestions();
  });
  function ready() {
    narrowAll();
    showQuestions();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();

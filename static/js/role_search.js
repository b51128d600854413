// "Select Microsoft Entra roles": the search box narrows the list to roles whose name or
// description contains what is typed. Without script every role is listed.
(function () {
  "use strict";
  document.querySelectorAll("[data-role-picker]").forEach(function (picker) {
    var search = picker.querySelector("[data-role-search]");
    var items = picker.querySelectorAll("[data-role-item]");
    search.addEventListener("input", function () {
      var text = search.value.trim().toLowerCase();
      items.forEach(function (item) {
        item.hidden = text !== "" && item.dataset.roleText.indexOf(text) === -1;
      });
    });
  });
})();

// Vulnerability pages. The advisory form: "Thêm sản phẩm" adds an empty product row from the
// formset's template (without JavaScript the form keeps its two empty rows).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var button = document.getElementById("add-product");
    var template = document.getElementById("product-template");
    var rows = document.getElementById("product-rows");
    var total = document.getElementById("id_products-TOTAL_FORMS");
    if (!button || !template || !rows || !total) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = rows.lastElementChild && rows.lastElementChild.querySelector("input");
      if (first) first.focus();
    });
  });
})();

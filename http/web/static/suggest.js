// Autocomplete of the fields that name a referential's entry (a job of the
// ROME, a commune): an <input list="…" data-suggestions="/api/v1/…"> gets
// its <datalist> filled with the labels the API suggests as the person
// types. Without this script the field still works: the server accepts a
// code or an exact label.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-suggestions");
    if (!list || !url || !window.fetch) {
      return;
    }
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === asked) {
          return;
        }
        asked = q;
        fetch(url + "?limit=20&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (resp) { return resp.ok ? resp.json() : { items: [] }; })
          .then(function (body) {
            if (q !== asked) {
              return; // a later answer is on its way
            }
            while (list.firstChild) {
              list.removeChild(list.firstChild);
            }
            (body.items || []).forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.label;
              list.appendChild(option);
            });
          })
          .catch(function () { /* the field still accepts a code or a label */ });
      }, 200);
    });
  }
  document.querySelectorAll("input[data-suggestions][list]").forEach(attach);
})();

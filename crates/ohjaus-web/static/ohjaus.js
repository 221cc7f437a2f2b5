// The booking form's live preview: as the form changes, the preview region is fetched
// again from the server (which does all the planning). Without this script the Preview
// button does the same with a whole page.
(function () {
  "use strict";
  var form = document.getElementById("book-form");
  var region = document.getElementById("preview-body");
  if (!form || !region || !window.fetch) { return; }
  var timer = null;
  var asked = 0;
  function refresh() {
    var ask = ++asked;
    var body = new URLSearchParams(new FormData(form));
    fetch("/coordinator/book/preview?fragment=1", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null && ask === asked) { region.innerHTML = html; }
    }).catch(function () {});
  }
  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refresh, 500);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();

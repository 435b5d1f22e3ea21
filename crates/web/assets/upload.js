// DriftGuard's data forms: shows how much of a file has been sent while it uploads. The
// forms work without this script; with it, the form is sent by XMLHttpRequest (so that the
// upload's progress can be read) and the browser then shows what the server answered: the
// page it redirected to, or the page of errors.
"use strict";
document.querySelectorAll("form[data-progress]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    var bar = document.getElementById(form.getAttribute("data-progress"));
    if (!bar || !window.XMLHttpRequest || !window.FormData) {
      return;
    }
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable && e.total > 0) {
        var percent = Math.round((100 * e.loaded) / e.total);
        bar.value = percent;
        bar.textContent = percent + "%";
        bar.setAttribute("aria-valuetext", percent + "% of the file sent");
      }
    });
    request.addEventListener("load", function () {
      if (request.status < 400 && request.responseURL) {
        window.location.assign(request.responseURL);
      } else {
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener("error", function () {
      form.submit();
    });
    bar.hidden = false;
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    request.send(new FormData(form));
  });
});

// disclosure-xlsx web page: what JavaScript adds to pages that work without it.
// Drag and drop onto the upload box, an upload progress bar, and refreshing the clerk's page
// when the round changes (another upload, a `campaign collect` at the console).
// Served by the round's own server; nothing is fetched from elsewhere (see the CSP header).
"use strict";

(function () {
  let uploading = false;

  function send(form, files) {
    const data = new FormData(form);
    if (files) {
      data.delete("files");
      for (const file of files) data.append("files", file, file.name);
    }
    const bar = form.querySelector("progress");
    const text = form.querySelector(".progress-text");
    const xhr = new XMLHttpRequest();
    uploading = true;
    bar.hidden = false;
    text.hidden = false;
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        bar.value = Math.round((event.loaded / event.total) * 100);
        text.textContent = bar.value + "%";
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value"); // the server is checking the files now
      text.textContent = form.dataset.checking || "…";
    });
    xhr.addEventListener("load", function () {
      uploading = false;
      if (xhr.status >= 200 && xhr.status < 400 && xhr.responseURL) {
        window.location.assign(xhr.responseURL);
      } else {
        // our own error page: show its heading (as text) under the upload box
        const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        const heading = page.querySelector("h1");
        bar.hidden = true;
        text.textContent = "✗ " + (heading ? heading.textContent : String(xhr.status));
      }
    });
    xhr.addEventListener("error", function () {
      uploading = false;
      text.textContent = "✗";
    });
    xhr.open("POST", form.action);
    xhr.send(data);
  }

  function setUpUpload(form) {
    const box = form.querySelector("[data-drop]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const input = form.querySelector("input[type=file]");
      if (!input.files.length) return;
      send(form, null);
    });
    if (!box) return;
    ["dragenter", "dragover"].forEach(function (name) {
      box.addEventListener(name, function (event) {
        event.preventDefault();
        box.classList.add("over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      box.addEventListener(name, function () {
        box.classList.remove("over");
      });
    });
    box.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        send(form, event.dataTransfer.files);
      }
    });
  }

  function watchRevision() {
    const body = document.body;
    const url = body.dataset.revisionUrl;
    if (!url) return;
    const seen = body.dataset.revision;
    window.setInterval(function () {
      if (uploading || document.hidden) return;
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || String(data.revision) === seen) return;
          const active = document.activeElement;
          if (active && active.tagName === "SELECT") return; // someone is choosing: wait
          const note = document.getElementById("refresh-note");
          if (note) note.hidden = false;
          // NOTE: the upload result (?done=) belongs to the upload just made; keep the rest
          const address = new URL(window.location.href);
          address.searchParams.delete("done");
          window.location.replace(address.toString());
        })
        .catch(function () {});
    }, 3000);
  }

  document.documentElement.classList.add("js"); // the page's script runs (tests look)
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.upload").forEach(setUpUpload);
    watchRevision();
  });
})();

// The console's plain JS (no framework, no inline scripts: the CSP forbids them).
// 1. The editor's phone preview follows the text as it is typed (textContent only).
// 2. The review page: j/k move between findings, a/r focus approve/reject comments.
// 3. fetch() calls that change something send the session's CSRF token header.
(function () {
  "use strict";

  function paragraphs(text) {
    return text.replace(/\r\n/g, "\n").split(/\n\s*\n/).map(function (b) { return b.trim(); })
      .filter(function (b) { return b.length > 0; });
  }

  function renderPreview() {
    var title = document.getElementById("title");
    var body = document.getElementById("body_text");
    var pTitle = document.getElementById("preview-title");
    var pBody = document.getElementById("preview-body");
    if (!title || !body || !pTitle || !pBody) { return; }
    pTitle.textContent = title.value;
    while (pBody.firstChild) { pBody.removeChild(pBody.firstChild); }
    paragraphs(body.value).forEach(function (block) {
      var lines = block.split("\n");
      var el;
      if (lines.every(function (l) { return l.trim().indexOf("- ") === 0; })) {
        el = document.createElement("ul");
        lines.forEach(function (l) {
          var li = document.createElement("li");
          li.textContent = l.trim().slice(2);
          el.appendChild(li);
        });
      } else if (lines.length === 1 && block.indexOf("## ") === 0) {
        el = document.createElement("h2");
        el.textContent = block.slice(3);
      } else {
        el = document.createElement("p");
        lines.forEach(function (l, i) {
          if (i > 0) { el.appendChild(document.createElement("br")); }
          el.appendChild(document.createTextNode(l.trim()));
        });
      }
      pBody.appendChild(el);
    });
  }

  function reviewKeys() {
    var marks = Array.prototype.slice.call(document.querySelectorAll("mark.finding"));
    var current = -1;
    function show(i) {
      if (!marks.length) { return; }
      current = (i + marks.length) % marks.length;
      marks.forEach(function (m) { m.classList.remove("active"); });
      marks[current].classList.add("active");
      marks[current].focus();
    }
    document.addEventListener("keydown", function (event) {
      var tag = (event.target && event.target.tagName) || "";
      if (tag === "TEXTAREA" || tag === "INPUT" || event.ctrlKey || event.metaKey || event.altKey) { return; }
      if (event.key === "j") { show(current + 1); event.preventDefault(); }
      if (event.key === "k") { show(current - 1); event.preventDefault(); }
      if (event.key === "a") { var a = document.getElementById("approve-comments"); if (a) { a.focus(); event.preventDefault(); } }
      if (event.key === "r") { var r = document.getElementById("reject-comments"); if (r) { r.focus(); event.preventDefault(); } }
    });
  }

  window.consoleFetch = function (url, options) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    options = options || {};
    options.headers = options.headers || {};
    if (meta) { options.headers["X-CSRF-Token"] = meta.getAttribute("content"); }
    options.credentials = "same-origin";
    return fetch(url, options);
  };

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.getElementById("body_text");
    var title = document.getElementById("title");
    if (body && title) {
      body.addEventListener("input", renderPreview);
      title.addEventListener("input", renderPreview);
    }
    if (document.querySelector(".review-page")) { reviewKeys(); }
  });
}());

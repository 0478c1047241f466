/*
 * parkcredit page behaviour, loaded on every page (no inline scripts: CSP).
 * - sends the CSRF token with every htmx request (X-CSRFToken, read from <meta name="csrf-token">);
 * - shows a thin progress bar at the top while htmx requests are in flight;
 * - reports failed htmx requests in the page, and reloads to the login page when the session ended.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // One entry per request actually sent; "loadend" fires exactly once for load, error, abort and
  // timeout alike, so the bar cannot get stuck on.
  var inFlight = new Set();

  function updateProgress() {
    var bar = document.getElementById("htmx-progress");
    if (bar) {
      bar.classList.toggle("is-active", inFlight.size > 0);
    }
  }

  document.addEventListener("htmx:beforeSend", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (!xhr) {
      return;
    }
    inFlight.add(xhr);
    updateProgress();
    xhr.addEventListener("loadend", function () {
      inFlight.delete(xhr);
      updateProgress();
    });
  });

  function showError(text) {
    var main = document.querySelector("#main .container-xl, #main > div") || document.body;
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible";
    alert.setAttribute("role", "alert");
    var body = document.createElement("div");
    body.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", document.body.getAttribute("data-close-label") || "关闭");
    alert.appendChild(body);
    alert.appendChild(close);
    main.insertBefore(alert, main.firstChild);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : "";
    var template = document.body.getAttribute("data-htmx-error") || "请求未完成(%(status)s),请刷新页面后重试。";
    showError(template.replace("%(status)s", String(status)));
  });

  document.addEventListener("htmx:sendError", function () {
    showError(document.body.getAttribute("data-htmx-offline") || "网络连接中断,请检查网络后重试。");
  });

  // A signed-out session answers an htmx request with the login page (after a redirect). Swapping
  // that into a fragment would be confusing, so go to the login page instead.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var loginUrl = document.body.getAttribute("data-login-url");
    var xhr = event.detail && event.detail.xhr;
    if (!loginUrl || !xhr || !xhr.responseURL) {
      return;
    }
    var landed = new URL(xhr.responseURL, window.location.href);
    var login = new URL(loginUrl, window.location.href);
    if (landed.pathname === login.pathname && window.location.pathname !== login.pathname) {
      event.detail.shouldSwap = false;
      window.location.assign(landed.href);
    }
  });
})();

// Live notifications: one WebSocket per page, an unread badge, a toast per message.
// No inline script anywhere: the socket path comes from <body data-notifications-socket>.
(function () {
  "use strict";
  var path = document.body.dataset.notificationsSocket;
  if (!path || !window.WebSocket) return;
  var badge = document.querySelector("[data-unread-badge]");
  var count = document.querySelector("[data-unread-count]");
  var toasts = document.getElementById("toasts");
  var delay = 1000;

  function setUnread(n) {
    if (!badge || !count) return;
    count.textContent = new Intl.NumberFormat(document.documentElement.lang).format(n);
    badge.classList.toggle("is-hidden", n === 0);
  }

  function toast(n) {
    var box = document.createElement("div");
    box.className = "toast";
    var title = document.createElement(n.url ? "a" : "strong");
    title.textContent = n.title;
    if (n.url) title.href = n.url;
    box.appendChild(title);
    if (n.body) {
      var text = document.createElement("p");
      text.textContent = n.body;
      box.appendChild(text);
    }
    toasts.appendChild(box);
    setTimeout(function () { box.remove(); }, 8000);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + path);
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (typeof data.unread === "number") setUnread(data.unread);
      if (data.type === "notification") toast(data.notification);
    };
    socket.onclose = function (event) {
      if (event.code === 4401) return; // logged out
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();

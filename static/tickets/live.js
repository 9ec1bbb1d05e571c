// Live ticket updates (tickets/consumers.py). No inline script and no innerHTML: every
// node is built with createElement/textContent, and every word shown comes from data-*
// attributes the (translated) template puts on the hook element.
//
//   <section id="ticket-live" data-live-url="/ws/tickets/CODE/"> customer ticket page
//   <section id="ticket-live" data-live-url="/ws/desk/" data-ticket="PK"> desk ticket page
//   <p id="desk-live" data-live-url="/ws/desk/" aria-live="polite"> desk queue
(function () {
  "use strict";
  var hook = document.getElementById("ticket-live") || document.getElementById("desk-live");
  if (!hook || !hook.dataset.liveUrl || !window.WebSocket) return;
  var labels = hook.dataset;
  var onQueue = hook.id === "desk-live";
  var ticketId = labels.ticket ? Number(labels.ticket) : null;
  var list = document.getElementById("ticket-messages");
  var statusNode = document.getElementById("ticket-status");
  var note = onQueue ? hook : document.getElementById("ticket-live-note");
  var lang = document.documentElement.lang || undefined;
  var delay = 1000;
  var REFUSED = 4403;

  function announce(text) {
    if (note && text) note.textContent = text;
  }

  function when(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return iso;
    try {
      return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(date);
    } catch (e) {
      return date.toLocaleString();
    }
  }

  function statusLabel(data) {
    // data-status-waiting="..." etc. win, so the label is in this page's language.
    var key = "status" + data.status.charAt(0).toUpperCase() + data.status.slice(1);
    return labels[key] || data.status_label || data.status;
  }

  function authorOf(data) {
    if (ticketId === null) {
      // Customer page: "Support team" / "You", as the template writes them.
      return (data.from_staff ? labels.staffLabel : labels.customerLabel) || data.author || "";
    }
    var tag = !data.from_staff && labels.customerTag ? " (" + labels.customerTag + ")" : "";
    return (data.author || "") + tag;
  }

  function addMessage(data) {
    if (!list) return;
    var id = String(Number(data.id));
    if (list.querySelector('[data-message-id="' + id + '"], #message-' + id)) return;
    var next = list.nextElementSibling;
    var empty = list.querySelector(".empty") || (next && next.classList.contains("empty") ? next : null);
    if (empty) empty.remove();
    var item = document.createElement("li");
    item.className = "ticket-message";
    if (data.internal) item.classList.add("is-internal");
    else if (data.from_staff) item.classList.add("is-staff");
    else item.classList.add(ticketId === null ? "is-mine" : "is-customer");
    item.id = "message-" + id;
    item.dataset.messageId = id;

    if (data.internal && labels.internalLabel) {
      var mark = document.createElement("p");
      mark.className = "internal-mark";
      var strong = document.createElement("strong");
      strong.textContent = labels.internalLabel;
      mark.appendChild(strong);
      item.appendChild(mark);
    }
    var meta = document.createElement("p");
    meta.className = ticketId === null ? "ticket-message-head" : "meta";
    var author = document.createElement("strong");
    author.textContent = authorOf(data);
    meta.appendChild(author);
    meta.appendChild(document.createTextNode(" "));
    var time = document.createElement("time");
    time.className = "meta";
    time.dateTime = data.created_at;
    time.textContent = when(data.created_at);
    meta.appendChild(time);
    item.appendChild(meta);

    var body = document.createElement("div");
    body.className = "ticket-body";
    String(data.body || "").split("\n").forEach(function (line, n) {
      if (n) body.appendChild(document.createElement("br"));
      body.appendChild(document.createTextNode(line));
    });
    item.appendChild(body);
    list.appendChild(item);
    announce((labels.messageLabel || "") + " " + authorOf(data));
  }

  function setStatus(data) {
    var label = statusLabel(data);
    if (statusNode) {
      statusNode.textContent = label;
      statusNode.className = statusNode.className.replace(/(^|\s)is-\S+/g, "").trim();
      statusNode.classList.add("is-" + data.status);
      statusNode.dataset.status = data.status;
    }
    announce((labels.statusLabel || "") + " " + label);
  }

  function newTicket(data) {
    while (hook.firstChild) hook.removeChild(hook.firstChild);
    hook.appendChild(document.createTextNode((labels.newTicketLabel || "") + " "));
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = data.code + ": " + data.subject;
    hook.appendChild(link);
    hook.appendChild(document.createTextNode(" "));
    var reload = document.createElement("a");
    reload.href = location.pathname + location.search;
    reload.textContent = labels.reloadLabel || "↻";
    hook.appendChild(reload);
  }

  function handle(data) {
    if (onQueue) {
      if (data.type === "ticket" && data.change === "new") newTicket(data);
      return;
    }
    if (ticketId !== null) {
      // Desk ticket page: the desk socket carries every ticket; keep this one's.
      var about = data.type === "message" ? data.ticket : data.id;
      if (Number(about) !== ticketId) return;
      if (data.type === "ticket" && (data.change === "status" || data.change === "merged")) {
        setStatus(data);
      }
    } else if (data.type === "status") {
      setStatus(data);
    }
    if (data.type === "message") addMessage(data);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + hook.dataset.liveUrl);
    socket.onopen = function () {
      delay = 1000;
      hook.dataset.liveState = "open"; // for tests and styling: updates are flowing
    };
    socket.onmessage = function (event) {
      try {
        handle(JSON.parse(event.data));
      } catch (e) {
        /* a malformed event is dropped */
      }
    };
    socket.onclose = function (event) {
      hook.dataset.liveState = "closed";
      if (event.code === REFUSED) return; // not allowed here: do not knock again
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();

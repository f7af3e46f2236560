// Shared by the staff pages: JSON requests with the CSRF token, a live
// Server-Sent Events stream that reconnects by itself, and formatting.
// Every text reaches the page through textContent: nothing is parsed as HTML.
"use strict";
window.hotline = (function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  async function post(path, body) {
    const resp = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body || {}),
    });
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      const e = (data && data.error) || {};
      throw new Error(e.message || ("HTTP " + resp.status));
    }
    return data;
  }

  // live opens an EventSource on path and calls onState with each "state"
  // event's JSON. Browsers reconnect an interrupted stream themselves (the
  // server asks for 1 s); a stream the server refused (a restart in
  // progress) is reopened here, with a growing pause up to 5 s.
  function live(path, onState, onConn) {
    let es, pause = 500;
    function open() {
      es = new EventSource(path);
      es.addEventListener("open", () => { pause = 500; onConn && onConn("live"); });
      es.addEventListener("state", (ev) => {
        let data;
        try { data = JSON.parse(ev.data); } catch (e) { return; }
        onState(data);
      });
      es.addEventListener("error", () => {
        onConn && onConn("reconnecting");
        if (es.readyState === EventSource.CLOSED) {
          setTimeout(open, pause);
          pause = Math.min(pause * 2, 5000);
        }
      });
    }
    open();
    return () => es.close();
  }

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
    return (h > 0 ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function text(id, value) {
    const el = document.getElementById(id);
    if (el) el.textContent = value == null ? "" : String(value);
  }

  function el(tag, cls, value) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (value != null) e.textContent = String(value);
    return e;
  }

  const ratingNames = { 1: "very unhappy", 2: "unhappy", 3: "happy", 4: "very happy" };

  return { post, live, duration, text, el, ratingNames };
})();

// The kiosk app: four buttons, a thank-you screen, an optional follow-up
// question, and a queue of presses kept in localStorage until the server has
// them (offline for a day is fine: every press carries the kiosk's time and a
// sequence number, so a resend is harmless).
"use strict";
(function () {
  var KEY_TOKEN = "hotline.kiosk.token", KEY_QUEUE = "hotline.kiosk.queue", KEY_SEQ = "hotline.kiosk.seq";
  var THANKS_MS = 2500, FOLLOWUP_MS = 15000, RETRY_MS = 10000, BATCH = 500;
  var cfg = null, flushing = false, timer = null;

  function $(id) { return document.getElementById(id); }
  function show(id) {
    ["rate", "followup", "thanks", "setup"].forEach(function (s) { $(s).hidden = s !== id; });
  }
  function token() { return localStorage.getItem(KEY_TOKEN) || ""; }
  function queue() {
    try { return JSON.parse(localStorage.getItem(KEY_QUEUE) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(q) { localStorage.setItem(KEY_QUEUE, JSON.stringify(q)); status(); }
  function nextSeq() {
    var n = parseInt(localStorage.getItem(KEY_SEQ) || "0", 10) + 1;
    localStorage.setItem(KEY_SEQ, String(n));
    return n;
  }
  function status(msg) {
    var n = queue().length;
    $("status").textContent = (msg ? msg + " · " : "") + (n ? n + " waiting to send" : "");
  }

  function api(method, path, body) {
    return fetch(path, {
      method: method, cache: "no-store",
      headers: { "Authorization": "Bearer " + token(), "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined
    });
  }

  function record(button) {
    var q = queue();
    var p = { seq: nextSeq(), button: button, at: new Date().toISOString() };
    var ask = cfg && cfg.follow_up && (cfg.follow_up.ask_on || []).indexOf(button) >= 0;
    if (ask) { p.pending = true; }
    q.push(p);
    saveQueue(q);
    if (ask) { followUp(p.seq); } else { thanks(); flush(); }
  }

  function answer(seq, text) {
    var q = queue();
    q.forEach(function (p) { if (p.seq === seq) { delete p.pending; if (text) { p.follow_up = text; } } });
    saveQueue(q);
  }

  function followUp(seq) {
    var f = cfg.follow_up, done = false;
    $("followup-question").textContent = f.question;
    var box = $("followup-choices");
    box.textContent = "";
    var finish = function (text) {
      if (done) { return; }
      done = true;
      clearTimeout(t);
      answer(seq, text);
      thanks();
      flush();
    };
    (f.choices || []).forEach(function (c) {
      var b = document.createElement("button");
      b.textContent = c;
      b.addEventListener("click", function () { finish(c); });
      box.appendChild(b);
    });
    $("followup-skip").onclick = function () { finish(""); };
    var t = setTimeout(function () { finish(""); }, FOLLOWUP_MS);
    show("followup");
  }

  function thanks() {
    show("thanks");
    setTimeout(function () { show("rate"); }, THANKS_MS);
  }

  // flush sends the queued presses, oldest first, in batches. Presses leave
  // the queue only once the server has answered for them (2xx, or 4xx for a
  // batch it will never accept as it is); network errors, 429 and 5xx keep them.
  function flush() {
    if (flushing || !token()) { return Promise.resolve(); }
    var batch = queue().filter(function (p) { return !p.pending; }).slice(0, BATCH);
    if (!batch.length) { status(); return Promise.resolve(); }
    flushing = true;
    var body = { sent_at: new Date().toISOString(), presses: batch.map(function (p) {
      var o = { seq: p.seq, button: p.button, at: p.at };
      if (p.follow_up) { o.follow_up = p.follow_up; }
      return o;
    }) };
    return api("POST", "/api/v1/kiosk/presses", body).then(function (res) {
      if (res.status === 401) { status("token refused"); return false; }
      if (res.status === 429 || res.status >= 500) { status("server busy"); return false; }
      var sent = {};
      batch.forEach(function (p) { sent[p.seq] = true; });
      saveQueue(queue().filter(function (p) { return !sent[p.seq]; }));
      status(res.ok ? "sent" : "some presses refused");
      return true;
    }, function () { status("offline"); return false; }).then(function (more) {
      flushing = false;
      if (more && queue().some(function (p) { return !p.pending; })) { return flush(); }
    });
  }

  function loadConfig() {
    return api("GET", "/api/v1/kiosk/config").then(function (res) {
      if (res.status === 401) { throw new Error("token refused"); }
      if (!res.ok) { throw new Error("HTTP " + res.status); }
      return res.json();
    }).then(function (c) {
      cfg = c;
      localStorage.setItem("hotline.kiosk.config", JSON.stringify(c));
    });
  }

  function start() {
    var cached = localStorage.getItem("hotline.kiosk.config");
    if (cached) { try { cfg = JSON.parse(cached); } catch (e) { cfg = null; } }
    var go = function () {
      $("where").textContent = cfg ? cfg.department_name + " · " + cfg.location : "";
      show("rate");
      flush();
    };
    loadConfig().then(go, function (e) {
      if (cfg) { go(); status("offline"); return; } // offline at start: work from the cached configuration
      $("setup-error").textContent = String(e.message || e);
      show("setup");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var m = /[#&]token=([^&]+)/.exec(location.hash);
    if (m) {
      localStorage.setItem(KEY_TOKEN, decodeURIComponent(m[1]));
      history.replaceState(null, "", location.pathname);
    }
    document.querySelectorAll(".face").forEach(function (b) {
      b.addEventListener("click", function () { record(b.getAttribute("data-button")); });
    });
    $("setup-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      localStorage.setItem(KEY_TOKEN, $("setup-token").value.trim());
      start();
    });
    document.addEventListener("click", function () {
      var d = document.documentElement;
      if (!document.fullscreenElement && d.requestFullscreen) { d.requestFullscreen().catch(function () {}); }
    }, { once: true });
    window.addEventListener("online", function () { flush(); });
    timer = setInterval(flush, RETRY_MS);
    if (token()) { start(); } else { show("setup"); }
    status();
  });
})();

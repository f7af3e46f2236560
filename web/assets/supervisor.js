// Supervisor page and wallboard: the board from /api/v1/supervisor/events.
"use strict";
(function () {
  const H = window.hotline;
  const $ = (id) => document.getElementById(id);
  const site = document.querySelector('meta[name="site"]').content;
  const q = site ? "?site=" + encodeURIComponent(site) : "";
  const wall = document.body.classList.contains("wallboard");
  let board = null;

  function pct(rate) { return rate == null ? "—" : (rate * 100).toFixed(1) + "%"; }
  function row(cells) {
    const tr = document.createElement("tr");
    cells.forEach((c) => {
      const td = H.el("td", c.cls || "", c.v);
      if (c.node) td.appendChild(c.node);
      tr.appendChild(td);
    });
    return tr;
  }

  function renderQueues(b) {
    const tb = document.querySelector("#queues tbody");
    tb.replaceChildren(...b.queues.map((x) => {
      const sl = x.today.service_level.value;
      const tr = row([
        { v: x.name }, { v: x.waiting, cls: "num" }, { v: H.duration(x.longest_wait_seconds), cls: "num" },
        { v: pct(sl) + " (n=" + x.today.service_level.n + ")", cls: "num " + (x.below_target ? "below" : (sl == null ? "" : "met")) },
        { v: pct(x.target), cls: "num" },
        { v: x.today.asa.seconds == null ? "—" : x.today.asa.seconds.toFixed(1) + " s", cls: "num" },
        { v: x.today.answered, cls: "num" }, { v: x.today.abandoned, cls: "num" }, { v: x.callbacks_pending, cls: "num" },
        { v: x.agents_available, cls: "num" }, { v: x.agents_busy, cls: "num" }, { v: x.not_ready, cls: "num" },
      ]);
      tr.dataset.queue = x.queue;
      return tr;
    }));
    H.text("t-agents", b.totals.agents);
    H.text("t-busy", b.totals.busy);
    $("alerts").replaceChildren(...b.alerts.map((a) => H.el("p", "alert", "Staffing alert: " + a.message)));
  }

  function actions(a) {
    const span = document.createElement("span");
    const sel = $("reason-template").cloneNode(true);
    sel.hidden = false;
    sel.removeAttribute("id");
    const btn = (label, fn) => { const b = H.el("button", "", label); b.addEventListener("click", fn); span.appendChild(b); return b; };
    const setState = (action, reason) => H.post("/api/v1/supervisor/agents/" + encodeURIComponent(a.id) + "/state", { action, reason })
      .then(() => H.text("action-result", a.id + ": " + action + " done")).catch((e) => H.text("action-result", e.message));
    if (a.state !== "available") btn("Available", () => setState("available", ""));
    span.appendChild(sel);
    btn("Not ready", () => setState("pause", sel.value));
    if (a.call_id && a.state === "on_call") {
      ["listen", "whisper", "barge"].forEach((m) => btn(m[0].toUpperCase() + m.slice(1), () => {
        const browser = phone && $("target-browser").checked;
        if (browser && !phone.ua) { H.text("action-result", "your browser phone is not registered"); return; }
        // The browser phone answers the controller's call by itself for a while after the press.
        if (browser) expectUntil = Date.now() + 30000;
        const endpoint = browser ? "PJSIP/" + phone.uri.replace(/^sip:/, "").replace(/@.*$/, "") : $("sup-endpoint").value;
        H.post("/api/v1/supervisor/calls/" + encodeURIComponent(a.call_id) + "/" + m, { endpoint })
          .then((r) => H.text("action-result", m + " " + a.id + ": " + (browser ? "your browser phone answers" : "your phone rings") + " (" + r.channel + ")"))
          .catch((e) => { expectUntil = 0; H.text("action-result", e.message); });
      }));
    }
    return span;
  }

  function renderAgents(b) {
    const tb = document.querySelector("#agents tbody");
    const now = Date.now();
    tb.replaceChildren(...b.agents.map((a) => {
      const st = H.el("span", "state", a.state.replace("_", " ") + (a.reason ? " (" + a.reason.replace(/_/g, " ") + ")" : ""));
      st.dataset.state = a.state;
      const cells = [{ v: a.name + " (" + a.id + ")" }, { v: a.site || "" }, { node: st },
        { v: H.duration((now - Date.parse(a.since)) / 1000), cls: "in-state" },
        { v: a.call_id ? a.queue + " · " + a.call_id : "" }];
      if (!wall) cells.push({ node: actions(a) });
      const tr = row(cells);
      tr.dataset.agent = a.id;
      tr.dataset.since = a.since;
      return tr;
    }));
  }

  function renderSlow(t) {
    if (!t || wall) return;
    const tb = document.querySelector("#satisfaction tbody");
    const depts = Object.keys(t.satisfaction).sort();
    const cell = (s) => ({ v: s && s.n > 0 ? pct(s.rate.value) + " (n=" + s.n + ")" : "—", cls: "num" });
    tb.replaceChildren(...depts.map((d) => row([{ v: d }, cell(t.satisfaction[d].phone), cell(t.satisfaction[d].kiosk), cell(t.satisfaction[d][""])])));
    charts(t);
  }

  const NS = "http://www.w3.org/2000/svg";
  function svgEl(tag, attrs, cls) {
    const e = document.createElementNS(NS, tag);
    Object.entries(attrs).forEach(([k, v]) => e.setAttribute(k, v));
    if (cls) e.setAttribute("class", cls);
    return e;
  }
  function charts(t) {
    const iv = t.intervals.slice(-32);
    const W = 400, Ht = 140, n = Math.max(iv.length, 1), bw = W / n;
    const max = Math.max(1, ...iv.map((x) => x.offered));
    const vol = $("chart-volume"), sl = $("chart-sl");
    const vk = [], sk = [];
    iv.forEach((x, i) => {
      const ho = (x.offered / max) * Ht, ha = (x.answered / max) * Ht;
      vk.push(svgEl("rect", { x: i * bw + 1, y: Ht - ho, width: bw / 2 - 1, height: ho }, "offered"));
      vk.push(svgEl("rect", { x: i * bw + bw / 2, y: Ht - ha, width: bw / 2 - 1, height: ha }, "answered"));
      if (i % 4 === 0) { const tx = svgEl("text", { x: i * bw, y: 155 }); tx.textContent = new Date(x.start).toTimeString().slice(0, 5); vk.push(tx); }
    });
    const pts = iv.map((x, i) => x.service_level.value == null ? null : [(i + 0.5) * bw, Ht - x.service_level.value * Ht]).filter(Boolean);
    if (pts.length) sk.push(svgEl("polyline", { points: pts.map((p) => p.join(",")).join(" ") }, "sl"));
    pts.forEach((p) => sk.push(svgEl("circle", { cx: p[0], cy: p[1], r: 3 }, "sl-point")));
    const ty = Ht - t.target * Ht;
    sk.push(svgEl("line", { x1: 0, x2: W, y1: ty, y2: ty }, "target"));
    const lab = svgEl("text", { x: 2, y: ty - 2 }); lab.textContent = "target " + pct(t.target); sk.push(lab);
    vol.replaceChildren(...vk);
    sl.replaceChildren(...sk);
  }

  function render(b) {
    board = b;
    renderQueues(b);
    renderAgents(b);
    renderSlow(b.today);
  }
  setInterval(() => {
    document.querySelectorAll("#agents tr[data-since]").forEach((tr) => {
      const c = tr.querySelector(".in-state");
      if (c) c.textContent = H.duration((Date.now() - Date.parse(tr.dataset.since)) / 1000);
    });
  }, 1000);

  // The browser phone (softphone.js, with HOTLINE_SIP_WS): registers the
  // supervisor's own endpoint (GET /api/v1/supervisor/softphone). A call
  // arriving within 30 s of a listen/whisper/barge pressed here is the
  // controller's and is answered at once; any other rings (Answer button).
  let expectUntil = 0;
  const phoneEl = $("sup-phone");
  const phone = phoneEl && window.hotlineSoftphone ? window.hotlineSoftphone.create({
    account: "/api/v1/supervisor/softphone", state: "sup-phone", text: "sup-phone-state", audio: "sup-audio",
    onRing: (p) => { if (Date.now() < expectUntil) { expectUntil = 0; p.answer(); } },
  }) : null;
  if (phone) {
    $("sup-answer").addEventListener("click", () => phone.answer());
    $("sup-hangup").addEventListener("click", () => phone.hangup());
    // The buttons follow the phone's state.
    new MutationObserver(() => {
      const st = phoneEl.dataset.state;
      $("sup-answer").hidden = st !== "ringing";
      $("sup-hangup").hidden = !["ringing", "answering", "in-call"].includes(st);
    }).observe(phoneEl, { attributes: true, attributeFilter: ["data-state"] });
    phone.start();
    window.hotlinePhone = phone;
  }

  H.live("/api/v1/supervisor/events" + q, render, (c) => {
    const e = $("conn");
    e.dataset.state = c;
    e.textContent = c === "live" ? "live" : "reconnecting…";
  });
})();

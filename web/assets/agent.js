// The agent panel: state from /api/v1/agent/events, actions through the
// JSON API, and the JsSIP softphone when a SIP WebSocket is configured.
"use strict";
(function () {
  const H = window.hotline;
  const $ = (id) => document.getElementById(id);
  let state = null;      // the last state from the server
  let skew = 0;          // server time - browser time, ms (from the Date header)

  function showError(msg) {
    const e = $("error");
    e.hidden = !msg;
    e.textContent = msg || "";
  }

  async function act(path, body) {
    showError("");
    try {
      render(await H.post(path, body));
    } catch (err) {
      showError(err.message);
    }
  }

  document.querySelectorAll("[data-action]").forEach((b) => b.addEventListener("click", () => {
    const action = b.dataset.action;
    act("/api/v1/agent/state", { action, reason: action === "pause" ? $("pause-reason").value : "" });
  }));
  document.querySelectorAll("[data-call]").forEach((b) => b.addEventListener("click", () => {
    if (!state || !state.call) return;
    const action = b.dataset.call;
    if (action === "answer" && phone.ua) { // a real softphone answers the SIP call itself
      phone.answer();
      return;
    }
    const body = { call_id: state.call.call_id };
    if (action === "transfer") {
      body.target = $("transfer-target").value;
      body.mode = $("transfer-mode").value;
    }
    act("/api/v1/agent/call/" + action, body);
  }));
  $("wrapup-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act("/api/v1/agent/wrapup", { call_id: $("wrapup-call").value, code: $("wrapup-code").value, notes: $("wrapup-notes").value })
      .then(() => { $("wrapup-notes").value = ""; });
  });

  // The ticket form of the current call: prefilled once per call (the
  // department and the caller's number), posted to the staff ticket route
  // with the call id, which links the ticket to the call record.
  let ticketCall = "";
  function prefillTicket(c) {
    if (c.call_id === ticketCall) return;
    ticketCall = c.call_id;
    $("ticket-form").reset();
    $("ticket-department").value = c.department || "";
    $("ticket-phone").value = c.number || "";
    $("ticket-result").hidden = true;
    $("btn-ticket").disabled = false;
  }
  $("ticket-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!state || !state.call) return;
    const c = state.call;
    const contact = $("ticket-contact").value;
    const body = {
      kind: document.querySelector('input[name="ticket-kind"]:checked').value,
      channel: "phone", where: "phone", call_id: c.call_id, language: c.language || "",
      what_happened: $("ticket-what").value, department: $("ticket-department").value,
      contact_wanted: contact !== "", contact_by: contact,
      phone: contact === "phone" ? $("ticket-phone").value : "",
      email: contact === "email" ? $("ticket-email").value : "",
      privacy_accepted: $("ticket-privacy").checked,
    };
    showError("");
    $("btn-ticket").disabled = true;
    try {
      const t = await H.post("/api/v1/staff/tickets", body);
      H.text("ticket-ref", t.reference);
      $("ticket-result").hidden = false;
    } catch (err) {
      showError("ticket: " + err.message);
      $("btn-ticket").disabled = false;
    }
  });

  function render(s) {
    state = s;
    const a = s.agent;
    const st = $("state");
    st.textContent = a.state.replace("_", " ");
    st.dataset.state = a.state;
    H.text("reason", a.reason ? "(" + a.reason.replace(/_/g, " ") + ")" : "");
    const out = a.state === "logged_out";
    $("btn-login").hidden = !out;
    $("btn-logout").hidden = out;
    $("btn-available").hidden = out || ["available", "ringing", "on_call"].includes(a.state);
    $("btn-pause").hidden = out;
    $("wrap-note").hidden = !s.wrap_until;

    const c = s.call;
    const ph = window.hotlinePhone; // an Answer pressed early lapses when the call no longer rings here
    if (ph && ph.wantAnswer && !(c && c.state === "ringing")) ph.wantAnswer = false;
    $("call-card").hidden = !c;
    if (c) {
      // The consulted agent of an attended transfer sees consult_ringing
      // (answer or reject) and consulting (hang up only).
      const consulted = c.state === "consult_ringing" || c.state === "consulting";
      const ringing = c.state === "ringing" || c.state === "consult_ringing";
      const t = c.transfer;
      $("call-card").dataset.state = c.state;
      H.text("call-title", consulted ? "Consultation from " + (t ? t.from : "a colleague") : ringing ? "Incoming call" : "On call");
      H.text("c-number", c.number || "withheld");
      H.text("c-language", c.language);
      H.text("c-department", c.department);
      H.text("c-queue", c.queue);
      H.text("c-path", (c.ivr_path || []).join(" → "));
      H.text("c-waited", H.duration(c.wait_seconds));
      const earlier = c.history.earlier_calls;
      H.text("c-earlier", earlier.length === 0 ? "none" : earlier.map((e) =>
        new Date(e.arrived).toLocaleString() + " " + e.department + " (" + e.disposition + ")").join("; "));
      H.text("c-ratings", c.history.ratings.length === 0 ? "none" : c.history.ratings.map((r) => H.ratingNames[r]).join(", "));
      $("c-tickets").href = c.history.open_tickets_url;
      prefillTicket(c);
      $("ringing-buttons").hidden = !ringing;
      $("talking-buttons").hidden = ringing;
      // An attended transfer in progress: complete (once the other agent
      // answered) or cancel; how the last one failed stays shown.
      const consulting = !consulted && t && (t.state === "ringing" || t.state === "talking");
      $("btn-hold").hidden = c.held || consulted || consulting;
      $("btn-resume").hidden = !c.held || consulted || consulting;
      $("btn-mute").hidden = c.muted || consulted;
      $("btn-unmute").hidden = !c.muted || consulted;
      $("transfer-controls").hidden = consulted || consulting;
      $("consult-buttons").hidden = !consulting;
      $("btn-transfer-complete").disabled = !(consulting && t.state === "talking");
      $("transfer-status").hidden = !t || consulted;
      if (t && !consulted) {
        H.text("transfer-status", "Transfer to " + t.agent + " (" + t.target + "): " +
          ({ ringing: "ringing…", talking: "talking: complete or cancel", failed: "failed", ended: "they hung up" }[t.state] || t.state) +
          (t.outcome ? " (" + t.outcome.replace(/_/g, " ") + ")" : ""));
      }
      H.text("call-flags", [c.held ? "on hold" : "", c.muted ? "muted" : ""].filter(Boolean).join(", "));
    }
    const w = s.wrapup;
    $("wrapup-card").hidden = !w;
    if (w && $("wrapup-call").value !== w.call_id) {
      $("wrapup-call").value = w.call_id;
    }
    tick();
  }

  function tick() {
    if (!state) return;
    const now = Date.now() + skew;
    const since = Date.parse(state.agent.since);
    H.text("in-state", since > 0 ? H.duration((now - since) / 1000) : "—");
    if (state.wrap_until) H.text("wrap-left", H.duration((Date.parse(state.wrap_until) - now) / 1000));
  }
  setInterval(tick, 1000);

  fetch("/api/v1/agent/state", { credentials: "same-origin" }).then((r) => {
    const d = Date.parse(r.headers.get("Date"));
    if (d) skew = d - Date.now();
    return r.json();
  }).then(render).catch(() => {});

  H.live("/api/v1/agent/events", render, (c) => {
    const e = $("conn");
    if (c !== "live" && e.dataset.state === "live") e.dataset.drops = String(Number(e.dataset.drops || 0) + 1);
    e.dataset.state = c;
    e.textContent = c === "live" ? "live" : "reconnecting…";
  });

  // ---- softphone (softphone.js) ----
  // With HOTLINE_SIP_WS set, the panel registers the agent's own SIP account
  // (GET /api/v1/agent/softphone); the controller's call to PJSIP/<agent>
  // rings here and the Answer button answers it in the browser.
  const phone = window.hotlineSoftphone.create({ account: "/api/v1/agent/softphone", state: "phone", text: "phone-state", audio: "remote-audio" });
  if (document.querySelector('meta[name="sip-ws"]').content) phone.start();
  window.hotlinePhone = phone;
})();

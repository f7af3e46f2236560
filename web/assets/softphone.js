// The browser softphone shared by the agent panel and the supervisor page:
// JsSIP (vendor/jssip.min.js) registering the signed-in account's own SIP
// endpoint over Asterisk's WebSocket transport with the WebRTC endpoint
// template of pjsip.conf. Loaded before agent.js / supervisor.js:
//
//   const phone = hotlineSoftphone.create({ account: "/api/v1/agent/softphone",
//     state: "phone", text: "phone-state", audio: "remote-audio", onRing: (phone) => {} });
//   phone.start();   // fetches the account (never cached) and registers
//   phone.answer();  // answers the ringing call (or the next one, when none rings yet)
//   phone.hangup();  // ends the current call
//
// The element #<state>'s data-state: off, registering, registered,
// unregistered, failed, ringing, answering, in-call.
"use strict";
(function () {
  const H = window.hotline;
  function create(opt) {
    const phone = { ua: null, session: null, wantAnswer: false, answer() {}, hangup() {}, start };
    const setState = (st, text) => {
      document.getElementById(opt.state).dataset.state = st;
      H.text(opt.text, text || st);
    };
    phone.setState = setState;
    async function start() {
      if (!window.JsSIP) { setState("failed", "JsSIP not loaded"); return; }
      let sip;
      try {
        const r = await fetch(opt.account, { credentials: "same-origin", cache: "no-store" });
        sip = await r.json();
        if (!r.ok) throw new Error(sip.error ? sip.error.message : "HTTP " + r.status);
      } catch (err) {
        setState("failed", "no SIP account: " + err.message);
        return;
      }
      if (!sip.enabled) { setState("off", "off"); return; }
      phone.uri = sip.uri;
      const pcConfig = { iceServers: (sip.ice_servers || []).map((u) => ({ urls: u })) };
      const ua = new JsSIP.UA({
        sockets: [new JsSIP.WebSocketInterface(sip.ws_url)],
        uri: sip.uri,
        password: sip.password,
        register: true,
        session_timers: false,
      });
      phone.ua = ua;
      setState("registering", "registering…");
      ua.on("registered", () => setState("registered"));
      ua.on("unregistered", () => setState("unregistered", "not registered"));
      ua.on("registrationFailed", (e) => setState("failed", "registration failed: " + e.cause));
      ua.on("newRTCSession", (e) => {
        if (e.originator !== "remote") return;
        const s = e.session;
        if (phone.session) { s.terminate({ status_code: 486 }); return; } // one call at a time
        phone.session = s;
        setState("ringing");
        const gone = () => {
          if (phone.session === s) phone.session = null;
          phone.wantAnswer = false;
          setState(ua.isRegistered() ? "registered" : "unregistered");
        };
        s.on("ended", gone);
        s.on("failed", gone);
        s.on("confirmed", () => setState("in-call", "in a call"));
        s.on("peerconnection", (pe) => {
          pe.peerconnection.addEventListener("track", (t) => { document.getElementById(opt.audio).srcObject = t.streams[0]; });
        });
        if (phone.wantAnswer) phone.answer(); // Answer was pressed before the phone rang
        else if (opt.onRing) opt.onRing(phone);
      });
      phone.answer = () => {
        const s = phone.session;
        if (!s) { phone.wantAnswer = true; setState("answering", "answering when the phone rings…"); return; }
        phone.wantAnswer = false;
        if (s.isEstablished() || s.isEnded()) return;
        setState("answering", "answering…");
        s.answer({ mediaConstraints: { audio: true, video: false }, pcConfig });
      };
      phone.hangup = () => {
        const s = phone.session;
        if (s && !s.isEnded()) s.terminate();
      };
      window.addEventListener("pagehide", () => ua.stop());
      ua.start();
    }
    return phone;
  }
  window.hotlineSoftphone = { create };
})();

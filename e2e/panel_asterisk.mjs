// The agent panel against the real Asterisk (e2e/panel_asterisk_test.go
// starts Asterisk, `hotline serve` with HOTLINE_SIP_WS, and a control server
// for the telephone side). Usage:
//   node panel_asterisk.mjs <hotline URL> <control URL> <silent wav for the agent's microphone> <speech wav for the supervisor's>
// The agent signs in; the panel's JsSIP registers a101 over WSS; the agent
// goes available; a caller is offered with its context; the agent answers in
// the panel; RTP both ways (getStats and Asterisk's channelstats); hold and
// resume; a supervisor listens, whispers and barges from /supervisor, the
// page's own browser phone (JsSIP, s201 over WSS, in a second browser whose
// fake microphone speaks) receiving the snoop channel; the
// agent hangs up and wraps up. Progress on stderr, one JSON line on stdout.
import { chromium } from "playwright-core";
import { signer, watchErrors } from "./lib/staff.mjs";

const [base, control, silence, speech] = process.argv.slice(2);
const password = process.env.HOTLINE_E2E_PASSWORD;
const T = 60000; // generous: waits poll, they do not time the product
const seen = { steps: [], heard: {} };
const step = (s) => { seen.steps.push(s); console.error(new Date().toISOString(), "step:", s); };
const ctl = async (path) => {
  const r = await fetch(control + path, { method: "POST" });
  const body = await r.text();
  if (!r.ok) throw new Error(path + ": " + body);
  return JSON.parse(body);
};
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// One browser per person: the fake microphone (a WAV file) is the whole browser's.
const launch = (mic) => chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    // Asterisk's self-signed certificate (internal/realasterisk); fake devices, the microphone a file.
    "--ignore-certificate-errors", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--use-file-for-fake-audio-capture=" + mic,
    // ICE on loopback: no mDNS names for local addresses, the loopback interface allowed.
    "--disable-features=WebRtcHideLocalIpsWithMdns", "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required"],
});
const browser = await launch(silence); // the agent's microphone: silence
const supBrowser = await launch(speech); // the supervisor's: speech
try {
  const agentCtx = await browser.newContext({ ignoreHTTPSErrors: true, permissions: ["microphone"] });
  const supCtx = await supBrowser.newContext({ ignoreHTTPSErrors: true, permissions: ["microphone"] });
  const agent = await agentCtx.newPage();
  const sup = await supCtx.newPage();
  const errors = watchErrors([agent, sup]);
  const signIn = signer(base, password, T);
  const phoneIs = (st) => agent.waitForSelector(`#phone[data-state=${st}]`, { timeout: T });

  await signIn(agent, "agent1", "/agent");
  await phoneIs("registered");
  step("signed in, softphone registered over WSS");
  await signIn(sup, "supervisor1", "/supervisor");
  await sup.waitForSelector("#sup-phone[data-state=registered]", { timeout: T });
  step("supervisor's browser phone registered over WSS (s201)");

  await agent.click("#btn-login");
  await agent.waitForSelector("#state[data-state=available]", { timeout: T });
  step("available");

  await ctl("/call");
  await agent.waitForSelector("#call-card[data-state=ringing]", { timeout: T });
  const ctx = await agent.evaluate(() => ["c-number", "c-language", "c-queue", "c-path"].map((id) => document.getElementById(id).textContent));
  if (ctx[0] !== "+13455550177" || ctx[1] !== "en" || ctx[2] !== "qpanel" || !ctx[3].includes("queue:qpanel")) {
    throw new Error("ringing call's context: " + ctx.join(" | "));
  }
  step("ringing with context: " + ctx.join(" | "));

  await agent.click("#btn-answer");
  await agent.waitForSelector("#call-card[data-state=talking]", { timeout: T });
  await phoneIs("in-call");
  await sup.waitForSelector("#agents tr[data-agent=a101] .state[data-state=on_call]", { timeout: T });
  step("answered in the panel");

  // Audio both ways: the caller speaks; the browser counts RTP in and out, and so does Asterisk.
  const statsOf = (page) => page.evaluate(async () => {
    const pc = window.hotlinePhone.session && window.hotlinePhone.session.connection;
    const r = { sent: 0, received: 0, energy: 0 };
    if (!pc) return r;
    (await pc.getStats()).forEach((s) => {
      if (s.type === "outbound-rtp" && s.kind === "audio") r.sent += s.packetsSent || 0;
      if (s.type === "inbound-rtp" && s.kind === "audio") { r.received += s.packetsReceived || 0; r.energy += s.totalAudioEnergy || 0; }
    });
    return r;
  });
  const stats = () => statsOf(agent);
  await ctl("/speak");
  const t0 = Date.now();
  let st;
  for (;;) {
    st = await stats();
    if (st.sent >= 25 && st.received >= 25 && st.energy > 0) break;
    if (Date.now() - t0 > T) throw new Error("no RTP both ways in the browser: " + JSON.stringify(st));
    await sleep(250);
  }
  let ast;
  for (;;) {
    ast = await ctl("/rtp");
    if (ast.rx >= 25 && ast.tx >= 25) break;
    if (Date.now() - t0 > T) throw new Error("no RTP both ways on a101 in Asterisk: " + JSON.stringify(ast));
    await sleep(250);
  }
  await ctl("/quiet");
  step(`RTP both ways: browser sent ${st.sent} received ${st.received}; Asterisk received ${ast.rx} sent ${ast.tx}`);

  // Hold and resume, checked by the caller's ear: music on hold, then nothing (the agent's microphone is silence).
  await agent.click("#btn-hold");
  await agent.waitForFunction(() => document.getElementById("call-flags").textContent.includes("on hold"), null, { timeout: T });
  const held = await ctl("/ear?name=hold");
  if (held.rms < held.audible) throw new Error("on hold, the caller hears no music: " + JSON.stringify(held));
  step("on hold: the caller hears music (RMS " + held.rms.toFixed(4) + ")");
  await agent.click("#btn-resume");
  await agent.waitForSelector("#btn-hold:not([hidden])", { timeout: T });
  // The music stops a while after the panel says resumed (Asterisk runs the stop when it gets to it; seconds
  // under load): the caller's ear is read in 3 s windows until it hears nothing, for at most 8 windows.
  async function silentAgain(name) {
    const heard = [];
    for (let i = 0; i < 8; i++) {
      const e = await ctl(`/ear?name=${name}-${i}`);
      heard.push(Number(e.rms.toFixed(4)));
      if (e.rms < e.audible) return heard;
    }
    throw new Error(name + ": the caller still hears music on hold (RMS in 3 s windows " + heard.join(", ") + ")");
  }
  const resumed = await silentAgain("resumed");
  step("resumed: the caller hears nothing (RMS in 3 s windows: " + resumed.join(", ") + ")");
  // Hold and resume at once, three times: the music stops every time (hold takes the caller out of the agent's
  // bridge and resume puts it back, so Asterisk runs music on, music off, rejoin in the order sent).
  for (let i = 0; i < 3; i++) {
    await agent.click("#btn-hold");
    await agent.waitForSelector("#btn-resume:not([hidden])", { timeout: T });
    await agent.click("#btn-resume");
    await agent.waitForSelector("#btn-hold:not([hidden])", { timeout: T });
    const quick = await silentAgain(`quick-resume-${i}`);
    step(`held and resumed at once (${i + 1}): the caller hears nothing (RMS in 3 s windows: ` + quick.join(", ") + ")");
  }

  // The supervisor listens, whispers, barges; the page's own browser phone receives the snoop channel.
  for (const mode of ["listen", "whisper", "barge"]) {
    await sup.check("#target-browser");
    const label = mode[0].toUpperCase() + mode.slice(1);
    await sup.click(`#agents tr[data-agent=a101] button:text-is("${label}")`);
    await sup.waitForSelector("#sup-phone[data-state=in-call]", { timeout: T }); // answered by itself
    const leg = await ctl("/snoop/start?mode=" + mode);
    // The caller is silent, the agent's microphone is silence: the agent hears only the supervisor, if anyone.
    // The supervisor's browser is measured over the same 4 s: what it hears with the caller silent.
    await sleep(1000);
    const [e0, q0] = [(await stats()).energy, (await statsOf(sup)).energy];
    await sleep(4000);
    const [energy, quiet] = [(await stats()).energy - e0, (await statsOf(sup)).energy - q0];
    // The caller speaks: what the supervisor's browser receives.
    await ctl("/snoop/speak?mode=" + mode);
    await sleep(1000);
    const s0 = await statsOf(sup);
    await sleep(4000);
    const s1 = await statsOf(sup);
    await ctl("/snoop/quiet?mode=" + mode);
    if (s1.received - s0.received < 25) throw new Error(mode + ": the supervisor's browser received no RTP: " + JSON.stringify([s0, s1]));
    // The supervisor hangs up in the page.
    await sup.click("#sup-hangup");
    await sup.waitForSelector("#sup-phone[data-state=registered]", { timeout: T });
    seen.heard[mode] = await ctl(`/snoop/end?mode=${mode}&sup=${encodeURIComponent(leg.supervisor)}&agent_energy=${energy}&sup_energy=${s1.energy - s0.energy}&sup_quiet=${quiet}`);
    seen.heard[mode].supervisor_packets = s1.received - s0.received;
    const still = await agent.evaluate(() => document.getElementById("call-card").dataset.state);
    if (still !== "talking") throw new Error(mode + ": the panel's call is " + still + " after the supervisor left");
    step(mode + ": " + JSON.stringify(seen.heard[mode]));
  }

  await agent.click("#btn-hangup");
  await agent.waitForSelector("#wrapup-card:not([hidden])", { timeout: T });
  await phoneIs("registered");
  step("hung up");
  await agent.selectOption("#wrapup-code", "resolved");
  await agent.fill("#wrapup-notes", "answered on the real Asterisk");
  await agent.click("#btn-wrapup");
  await agent.waitForSelector("#wrapup-card[hidden]", { state: "attached", timeout: T });
  step("wrapped up");
  if (errors.length) throw new Error("page errors: " + errors.join("; "));
  console.log(JSON.stringify(seen));
} finally {
  await browser.close();
  await supBrowser.close();
}

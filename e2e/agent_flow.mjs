// End-to-end: an agent and a supervisor in headless Chromium against a
// running hotline (the Go test e2e/browser_test.go starts it with the ARI
// simulator). Usage: node agent_flow.mjs <base URL> <simulator URL> <DID> <screenshot dir>
// The agent signs in, goes available; a simulated call arrives with its
// context; the agent answers, holds, resumes, hangs up and wraps up; a second
// call is transferred blind to a queue, a third attended to agent2; the supervisor page sees each change live; the
// stream survives a network drop. Prints one JSON line of what it saw.
import { chromium } from "playwright-core";
import { signer, watchErrors } from "./lib/staff.mjs";

const [base, sim, did, shots, control] = process.argv.slice(2);
const password = process.env.HOTLINE_E2E_PASSWORD;
const T = 15000; // generous: waits poll, they do not time the product
const seen = { steps: [], latencies_ms: [] };
const step = (s) => { seen.steps.push(s); console.error("step:", s); };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  const agentCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const supCtx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const agent = await agentCtx.newPage();
  const sup = await supCtx.newPage();
  const errors = watchErrors([agent, sup]);
  const signIn = signer(base, password, T);
  await agent.goto(base + "/login");
  await agent.screenshot({ path: shots + "/login.png" });
  // A wrong password is refused on the page.
  await agent.fill("#username", "agent1");
  await agent.fill("#password", "wrong password");
  await agent.click("#sign-in");
  await agent.waitForSelector("#login-error", { timeout: T });
  step("wrong password refused");

  await signIn(sup, "supervisor1", "/supervisor");
  await signIn(agent, "agent1", "/agent");
  step("signed in");

  const supRow = (state) => `#agents tr[data-agent=a101] .state[data-state=${state}]`;
  async function both(agentSel, supState) {
    const t0 = Date.now();
    await Promise.all([agentSel ? agent.waitForSelector(agentSel, { timeout: T }) : null, sup.waitForSelector(supRow(supState), { timeout: T })]);
    seen.latencies_ms.push(Date.now() - t0);
  }

  await agent.click("#btn-login");
  await both("#state[data-state=available]", "available");
  step("available");

  async function call(number) {
    const r = await fetch(`${sim}/_sim/inbound?app=hotline&from=${encodeURIComponent(number)}&to=${did}`, {
      method: "POST",
      body: JSON.stringify({ presses: [{ digits: "10", after_ms: 300, gap_ms: 300 }], patience_ms: 600000,
        after_bridge: [{ digits: "1", after_ms: 500 }], hangup_after_bridge_ms: 5000 }),
    });
    if (!r.ok) throw new Error("inbound " + r.status);
  }
  await call("+13455550123");
  await both("#call-card[data-state=ringing]", "ringing");
  const number = await agent.textContent("#c-number");
  const path = await agent.textContent("#c-path");
  const language = await agent.textContent("#c-language");
  if (number !== "+13455550123" || !path.includes("queue:general") || language !== "en") {
    throw new Error(`call context: number ${number} path ${path} language ${language}`);
  }
  await agent.screenshot({ path: shots + "/agent-ringing.png" });
  step("ringing with context");

  await agent.click("#btn-answer");
  await both("#call-card[data-state=talking]", "on_call");
  step("answered");
  await agent.click("#btn-hold");
  await agent.waitForFunction(() => document.getElementById("call-flags").textContent.includes("on hold"), null, { timeout: T });
  step("on hold");
  await agent.click("#btn-resume");
  await agent.waitForSelector("#btn-hold:not([hidden])", { timeout: T });
  step("resumed");
  await agent.screenshot({ path: shots + "/agent-on-call.png" });

  // During the call the agent logs a complaint in the panel's ticket form
  // (department and phone prefilled from the call) and sees its reference;
  // the ticket is linked to the call record.
  await agent.click("#ticket-card summary");
  const prefilled = await agent.evaluate(() => [document.getElementById("ticket-department").value, document.getElementById("ticket-phone").value]);
  if (prefilled[0] === "" || prefilled[1] !== "+13455550123") throw new Error("ticket form prefill " + prefilled);
  await agent.check("input[name=ticket-kind][value=complaint]");
  await agent.fill("#ticket-what", "The caller was sent to the wrong counter twice.");
  await agent.check("#ticket-privacy");
  await agent.click("#btn-ticket");
  await agent.waitForSelector("#ticket-result:not([hidden])", { timeout: T });
  const ref = await agent.textContent("#ticket-ref");
  const callID = await agent.evaluate(async (r) => {
    const d = await (await fetch("/api/v1/tickets/" + r, { credentials: "same-origin" })).json();
    return (d.calls || []).map((c) => c.call_id).join(",") + "|" + d.call_id;
  }, ref);
  if (!/^C-\d{4}-\d+$/.test(ref) || callID.split("|")[0] === "" || callID.split("|")[0] !== callID.split("|")[1]) {
    throw new Error("ticket " + ref + " linked calls " + callID);
  }
  await agent.screenshot({ path: shots + "/agent-ticket.png" });
  step("ticket logged during the call");
  await sup.screenshot({ path: shots + "/supervisor.png", fullPage: true });

  // A network drop (the server closes every connection): the stream
  // reconnects by itself and the state is still there.
  const dropped = await fetch(control + "/drop", { method: "POST" });
  if (!dropped.ok) throw new Error("drop " + dropped.status);
  await agent.waitForSelector("#conn[data-drops='1'][data-state=live]", { timeout: 30000 });
  await agent.waitForSelector("#call-card[data-state=talking]", { timeout: T });
  step("reconnected after a network drop, still on the call");

  await agent.click("#btn-hangup");
  await both("#wrapup-card:not([hidden])", "wrap_up");
  await agent.selectOption("#wrapup-code", "information_given");
  await agent.fill("#wrapup-notes", "<script>alert(1)</script> asked about opening hours");
  await agent.screenshot({ path: shots + "/agent-wrap-up.png" });
  await agent.click("#btn-wrapup");
  await agent.waitForSelector("#wrapup-card[hidden]", { state: "attached", timeout: T });
  step("wrapped up");

  // Second call: transferred blind to another queue.
  await agent.click("#btn-available").catch(() => {});
  await both("#state[data-state=available]", "available");
  await call("+13455550124");
  await both("#call-card[data-state=ringing]", "ringing");
  await agent.click("#btn-answer");
  await both("#call-card[data-state=talking]", "on_call");
  await agent.selectOption("#transfer-target", "queue:registry");
  await agent.click("#btn-transfer");
  await both("#wrapup-card:not([hidden])", "wrap_up");
  step("transferred");

  // Third call: an attended transfer to agent2 (a102), who signs in to
  // their queues once agent1 has the call; agent2 answers the
  // consultation, agent1 completes it and goes to wrap-up.
  await agent.click("#btn-available").catch(() => {});
  await both("#state[data-state=available]", "available");
  await call("+13455550125");
  await both("#call-card[data-state=ringing]", "ringing");
  await agent.click("#btn-answer");
  await both("#call-card[data-state=talking]", "on_call");
  const agent2Ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const agent2 = await agent2Ctx.newPage();
  agent2.on("pageerror", (e) => errors.push(String(e)));
  await signIn(agent2, "agent2", "/agent");
  await agent2.click("#btn-login");
  await agent2.waitForSelector("#state[data-state=available]", { timeout: T });
  await agent.selectOption("#transfer-target", "agent:a102");
  await agent.selectOption("#transfer-mode", "attended");
  await agent.click("#btn-transfer");
  await agent.waitForSelector("#consult-buttons:not([hidden])", { timeout: T });
  await agent.waitForFunction(() => document.getElementById("call-flags").textContent.includes("on hold"), null, { timeout: T });
  await agent2.waitForSelector("#call-card[data-state=consult_ringing]", { timeout: T });
  const title = await agent2.textContent("#call-title");
  if (!title.includes("a101")) throw new Error("consultation title " + title);
  await agent2.click("#btn-answer");
  await agent2.waitForSelector("#call-card[data-state=consulting]", { timeout: T });
  await agent.waitForSelector("#btn-transfer-complete:not([disabled])", { timeout: T });
  await agent.screenshot({ path: shots + "/agent-consulting.png" });
  step("consulting");
  await agent.click("#btn-transfer-complete");
  await both("#wrapup-card:not([hidden])", "wrap_up");
  await agent2.waitForSelector("#call-card[data-state=talking]", { timeout: T });
  await agent2.click("#btn-hangup");
  await agent2.waitForSelector("#wrapup-card:not([hidden])", { timeout: T });
  step("attended transfer completed");

  // The wallboard (large screen).
  const wall = await supCtx.newPage();
  await wall.setViewportSize({ width: 1920, height: 1080 });
  await wall.goto(base + "/supervisor/wallboard");
  await wall.waitForSelector("#conn[data-state=live]", { timeout: T });
  await wall.waitForSelector("#queues tbody tr", { timeout: T });
  await wall.screenshot({ path: shots + "/wallboard.png" });
  step("wallboard");

  // Sign out ends the session: the page goes back to the sign-in form.
  await Promise.all([agent.waitForURL(base + "/login", { timeout: T }), agent.click("#sign-out")]);
  step("signed out");
  if (errors.length) throw new Error("page errors: " + errors.join("; "));
  console.log(JSON.stringify(seen));
} finally {
  await browser.close();
}

// Drives the kiosk app in headless Chromium: usage node kiosk.mjs <base URL> <kiosk token>.
// Presses a button online, then two offline (one with the follow-up question), then goes back online.
// Prints one JSON line of what it saw; exits non-zero on a failed step.
import { chromium } from "playwright-core";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [base, token] = process.argv.slice(2);
const out = { steps: [], cspViolations: [], consoleErrors: [] };
function step(s) { out.steps.push(s); }
function fail(msg) { out.error = msg; console.log(JSON.stringify(out)); process.exit(1); }

const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "kiosk-chromium-")), {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1280, height: 800 }, // a 10" tablet in landscape
});
try {
  const page = browser.pages()[0] || await browser.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") {
      (/Content Security Policy/i.test(m.text()) ? out.cspViolations : out.consoleErrors).push(m.text());
    }
  });
  const queued = () => page.evaluate(() => JSON.parse(localStorage.getItem("hotline.kiosk.queue") || "[]"));
  const waitFor = async (what, f, ms = 20000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) { if (await f()) { return; } await page.waitForTimeout(100); }
    fail("timed out waiting for " + what);
  };
  const press = async (button) => {
    await page.locator("#rate").waitFor({ state: "visible" });
    await page.click(`button[data-button="${button}"]`);
  };

  await page.goto(`${base}/kiosk/#token=${encodeURIComponent(token)}`);
  await page.locator("#rate").waitFor({ state: "visible", timeout: 15000 });
  if (page.url().includes("token=")) { fail("the token stayed in the address bar"); }
  const where = await page.textContent("#where");
  step("ready: " + where);
  const box = await page.locator('button[data-button="very_happy"]').boundingBox();
  out.buttonSize = Math.round(box.width);
  const faces = await page.locator(".face").count();
  if (faces !== 4) { fail(`${faces} buttons, want 4`); }

  await press("very_happy");
  await page.locator("#thanks").waitFor({ state: "visible" });
  step("thanks shown");
  await waitFor("the online press to be sent", async () => (await queued()).length === 0);
  step("online press sent");

  await browser.setOffline(true);
  await press("happy");
  await page.locator("#thanks").waitFor({ state: "visible" });
  await press("unhappy"); // dvdl asks its follow-up question after an unhappy press
  await page.locator("#followup").waitFor({ state: "visible" });
  out.followUpQuestion = await page.textContent("#followup-question");
  await page.click("#followup-choices button >> nth=0");
  await page.locator("#thanks").waitFor({ state: "visible" });
  await page.waitForTimeout(500); // a flush attempt while offline fails and keeps them
  const offline = await queued();
  out.queuedOffline = offline.map((p) => ({ seq: p.seq, button: p.button, follow_up: p.follow_up || "" }));
  if (offline.length !== 2) { fail(`${offline.length} presses kept offline, want 2`); }
  step("two presses kept offline");

  await browser.setOffline(false);
  await waitFor("the offline presses to be sent when back online", async () => (await queued()).length === 0, 30000);
  step("sent when back online");
  if (out.cspViolations.length) { fail("CSP violations"); }
  out.ok = true;
  console.log(JSON.stringify(out));
} finally {
  await browser.close();
}

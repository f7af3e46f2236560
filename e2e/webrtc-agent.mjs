// webrtc-agent.mjs: a browser softphone agent for tests. Headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core) with fake media
// devices runs JsSIP (the vendored web/assets/vendor/jssip.min.js, served
// from a local page) registered over WSS as one agent.
//
//   node e2e/webrtc-agent.mjs --wss wss://127.0.0.1:8089/ws --uri sip:a101@127.0.0.1 \
//        --password SECRET [--answer-after-ms 0] [--stats-every-ms 500] [--chromium /usr/bin/chromium]
//
// Stdout: one JSON object a line:
//   {"event":"registered"} {"event":"incoming","from":"..."} {"event":"confirmed"}
//   {"event":"stats","rtp_sent":N,"rtp_received":M,"bytes_received":B} (every --stats-every-ms while a call is up)
//   {"event":"ice","state":"connected"} {"event":"connection","state":"connected"} (the RTCPeerConnection's states)
//   {"event":"ended","cause":"..."} {"event":"error","message":"..."}
//   with --debug true: {"event":"sdp","originator":"remote","type":"offer","sdp":"..."}
// Stdin: one command a line: "answer", "hangup", "quit". It exits on "quit" or end of stdin.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const opt = {
  wss: args.wss, uri: args.uri, password: args.password,
  answerAfter: args['answer-after-ms'] === undefined ? 0 : Number(args['answer-after-ms']), // -1: only on "answer"
  statsEvery: Number(args['stats-every-ms'] || 500),
  debug: args.debug === 'true',
  chromium: args.chromium || '/usr/bin/chromium',
  jssip: args.jssip || path.join(here, '..', 'web', 'assets', 'vendor', 'jssip.min.js'),
};
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
if (!opt.wss || !opt.uri || !opt.password) {
  out({ event: 'error', message: 'usage: --wss URL --uri sip:ID@HOST --password P' });
  process.exit(2);
}

// The page: JsSIP in the browser, reporting through window.report (exposed by Playwright).
const page = `<!doctype html><meta charset="utf-8"><title>agent</title>
<script src="/jssip.min.js"></script>
<script>
window.agent = {
  start(o) {
    const socket = new JsSIP.WebSocketInterface(o.wss);
    const ua = new JsSIP.UA({ sockets: [socket], uri: o.uri, password: o.password, register: true, session_timers: false });
    this.ua = ua;
    ua.on('registered', () => report({ event: 'registered' }));
    ua.on('registrationFailed', (e) => report({ event: 'error', message: 'registration failed: ' + e.cause }));
    ua.on('newRTCSession', (e) => {
      if (e.originator !== 'remote') return;
      const s = e.session;
      this.session = s;
      report({ event: 'incoming', from: s.remote_identity.uri.toString() });
      s.on('confirmed', () => report({ event: 'confirmed' }));
      s.on('peerconnection', (x) => {
        const pc = x.peerconnection;
        pc.addEventListener('iceconnectionstatechange', () => report({ event: 'ice', state: pc.iceConnectionState }));
        pc.addEventListener('connectionstatechange', () => report({ event: 'connection', state: pc.connectionState }));
      });
      if (o.debug) s.on('sdp', (x) => report({ event: 'sdp', originator: x.originator, type: x.type, sdp: x.sdp }));
      s.on('ended', (x) => { report({ event: 'ended', cause: x.cause }); this.session = null; });
      s.on('failed', (x) => { report({ event: 'ended', cause: x.cause }); this.session = null; });
      if (o.answerAfter >= 0) setTimeout(() => this.answer(), o.answerAfter);
    });
    ua.start();
  },
  answer() {
    if (this.session && !this.session.isEstablished()) {
      this.session.answer({ mediaConstraints: { audio: true, video: false } });
    }
  },
  hangup() { if (this.session) this.session.terminate(); },
  async stats() {
    const pc = this.session && this.session.connection;
    if (!pc) return null;
    const r = { rtp_sent: 0, rtp_received: 0, bytes_received: 0 };
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'audio') r.rtp_sent += s.packetsSent || 0;
      if (s.type === 'inbound-rtp' && s.kind === 'audio') { r.rtp_received += s.packetsReceived || 0; r.bytes_received += s.bytesReceived || 0; }
    });
    return r;
  },
};
</script>`;

const server = http.createServer((req, res) => {
  if (req.url === '/jssip.min.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    fs.createReadStream(opt.jssip).pipe(res);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end(page);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));

const userDir = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'webrtc-agent-'));
// A fresh profile (--user-data-dir) for every run: Playwright passes it as launchPersistentContext's directory.
const browser = await chromium.launchPersistentContext(userDir, {
  executablePath: opt.chromium,
  headless: true,
  ignoreHTTPSErrors: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    '--ignore-certificate-errors', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    // ICE on loopback only: no mDNS names for local addresses, and the loopback interface allowed
    '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection'],
});
let closing = false;
async function quit(code) {
  if (closing) return;
  closing = true;
  await browser.close().catch(() => {});
  server.close();
  fs.rmSync(userDir, { recursive: true, force: true });
  process.exit(code);
}
try {
  const p = browser.pages()[0] || await browser.newPage();
  await p.exposeFunction('report', (o) => out(o));
  p.on('pageerror', (e) => out({ event: 'error', message: String(e) }));
  await p.goto(`http://127.0.0.1:${server.address().port}/`);
  await p.evaluate((o) => window.agent.start(o), { wss: opt.wss, uri: opt.uri, password: opt.password, answerAfter: opt.answerAfter, debug: opt.debug });
  setInterval(async () => {
    const s = await p.evaluate(() => window.agent.stats()).catch(() => null);
    if (s) out({ event: 'stats', ...s });
  }, opt.statsEvery);
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', async (l) => {
    const cmd = l.trim();
    if (cmd === 'answer') await p.evaluate(() => window.agent.answer());
    else if (cmd === 'hangup') await p.evaluate(() => window.agent.hangup());
    else if (cmd === 'quit') await quit(0);
  });
  rl.on('close', () => quit(0));
} catch (e) {
  out({ event: 'error', message: String(e && e.stack || e) });
  await quit(1);
}

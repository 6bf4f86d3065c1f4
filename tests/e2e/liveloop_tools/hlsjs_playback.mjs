// Plays a LiveLoop channel in hls.js inside Debian's chromium (driven by playwright-core) and
// checks what a viewer would notice at item boundaries: playback crosses several discontinuities
// (hls.js `cc` = DSN), currentTime only moves forward, no stall lasts longer than one segment,
// and hls.js reports no fatal error.
// usage: node hlsjs_playback.mjs <master playlist url> <seconds> <target duration s> [boundary s]
// Items of one format run on one timeline with no discontinuity (one cc); then pass the longest
// item's duration as [boundary s] and the check is that playback ran through at least three
// items' worth of time without a stall or a step back.
// playwright-core and hls.js are taken from web/node_modules (or from here when installed).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const fromWeb = createRequire(path.join(root, 'web/package.json'));
const fromHere = createRequire(import.meta.url);
const resolve = (name) => {
  try { return fromWeb.resolve(name); } catch { return fromHere.resolve(name); }
};
const { chromium } = fromWeb(resolve('playwright-core'));
const hlsPath = path.join(path.dirname(resolve('hls.js/package.json')), 'dist/hls.min.js');

const [url, secondsArg, tdArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 25);
const td = Number(tdArg ?? 4);
const boundarySeconds = Number(process.argv[5] ?? 0);
const origin = new URL(url).origin;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
});
let failed = false;
try {
  const page = await browser.newPage();
  // A same-origin page for the player (the channel server only serves /live and /media).
  await page.route(`${origin}/player.html`, (route) => route.fulfill({
    contentType: 'text/html',
    body: '<!doctype html><video id="v" muted playsinline></video>',
  }));
  await page.goto(`${origin}/player.html`);
  await page.addScriptTag({ path: hlsPath });
  const support = await page.evaluate(() => window.Hls.isSupported());
  if (!support) throw new Error('hls.js: MSE not supported in this chromium');
  await page.evaluate((src) => {
    const v = document.getElementById('v');
    const log = (window.playLog = { samples: [], ccs: new Set(), errors: [], levelsDsn: [] });
    const hls = new window.Hls({ lowLatencyMode: false });
    hls.on(window.Hls.Events.FRAG_CHANGED, (_e, d) => log.ccs.add(`${d.frag.type}:${d.frag.cc}`));
    hls.on(window.Hls.Events.FRAG_LOADED, (_e, d) => log.ccs.add(`${d.frag.type}:${d.frag.cc}`));
    hls.on(window.Hls.Events.ERROR, (_e, d) => log.errors.push(`${d.fatal ? "FATAL " : ""}${d.type}/${d.details} at ${v.currentTime.toFixed(2)} frag ${d.frag ? d.frag.type + ":" + d.frag.sn + "/cc" + d.frag.cc : "-"} ${d.error ? d.error.message : ""}`));
    hls.loadSource(src);
    hls.attachMedia(v);
    hls.on(window.Hls.Events.MANIFEST_PARSED, () => v.play().catch((e) => log.errors.push(`play: ${e}`)));
    setInterval(() => log.samples.push([performance.now(), v.currentTime, v.readyState]), 250);
  }, url);
  await page.waitForTimeout(seconds * 1000);
  const log = await page.evaluate(() => ({
    samples: window.playLog.samples,
    ccs: [...window.playLog.ccs],
    errors: window.playLog.errors,
  }));
  const mainCcs = new Set(log.ccs.filter((c) => c.startsWith('main:')));
  const audioCcs = new Set(log.ccs.filter((c) => c.startsWith('audio:')));
  // Playback: from the first advancing sample on, currentTime never goes back and never stands
  // still for longer than one target duration.
  const started = log.samples.findIndex((s, i) => i > 0 && s[1] > log.samples[i - 1][1]);
  let longestStall = 0;
  let backwards = 0;
  let lastMove = started >= 0 ? log.samples[started][0] : 0;
  for (let i = Math.max(started, 1); started >= 0 && i < log.samples.length; i++) {
    const [t, ct] = log.samples[i];
    const prev = log.samples[i - 1][1];
    if (ct < prev) backwards++;
    if (ct > prev) lastMove = t;
    longestStall = Math.max(longestStall, t - lastMove);
  }
  const played = started >= 0 ? log.samples.at(-1)[1] - log.samples[started][1] : 0;
  const fatal = log.errors.filter((e) => e.startsWith('FATAL'));
  const report = {
    played_s: Number(played.toFixed(2)),
    discontinuities_main: mainCcs.size,
    discontinuities_audio: audioCcs.size,
    longest_stall_ms: Math.round(longestStall),
    backwards_steps: backwards,
    errors: log.errors,
  };
  console.log(JSON.stringify(report));
  const problems = [];
  if (started < 0) problems.push('never started playing');
  if (played < seconds * 0.5) problems.push(`played only ${played.toFixed(1)} s in ${seconds} s`);
  if (boundarySeconds > 0) {
    if (played < 3 * boundarySeconds + td) problems.push(`played ${played.toFixed(1)} s: fewer than 3 item boundaries`);
  } else {
    if (mainCcs.size < 4) problems.push(`crossed ${mainCcs.size - 1} boundaries (< 3)`);
    if (audioCcs.size < 4) problems.push(`audio crossed ${audioCcs.size - 1} boundaries (< 3)`);
  }
  if (backwards > 0) problems.push(`currentTime went back ${backwards} times`);
  if (longestStall > td * 1000 + 250) problems.push(`stalled ${Math.round(longestStall)} ms`);
  if (fatal.length) problems.push(`fatal hls.js errors: ${fatal.join(', ')}`);
  if (problems.length) {
    console.error(problems.join('\n'));
    failed = true;
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);

// Parses Beacon's /live/channels.m3u with a third-party IPTV parser (iptv-playlist-parser, the
// one iptv-org uses) and checks what IPTV clients rely on; then tunes in to every channel URL.
// usage: node check_m3u.mjs <channels.m3u> <base url>
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const parser = require('iptv-playlist-parser');

const [file, base] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

const playlist = parser.parse(text);
const guide = playlist.header.attrs['url-tvg'] ?? '';
check(guide.startsWith(`${base}/live/guide.xml`), `url-tvg is ${guide}`);
check(playlist.items.length >= 1, 'no channels');
for (const item of playlist.items) {
  check(item.name.length > 0, `channel without a name: ${item.raw}`);
  check(/^[a-z0-9_-]+\.beacon$/.test(item.tvg.id), `tvg-id ${item.tvg.id}`);
  check(item.tvg.name === item.name, `tvg-name ${item.tvg.name} vs ${item.name}`);
  check(item.tvg.logo.startsWith(`${base}/live/logo.svg`), `tvg-logo ${item.tvg.logo}`);
  check(item.group.title === 'Beacon', `group-title ${item.group.title}`);
  check(/^https?:\/\/[^/]+\/live\/[a-z0-9_-]+\/tv\.m3u8(\?key=.+)?$/.test(item.url),
        `channel url ${item.url}`);
  check(item.url.startsWith(base), `channel url not absolute under ${base}: ${item.url}`);
  const res = await fetch(item.url);
  const body = await res.text();
  check(res.status === 200 && body.startsWith('#EXTM3U'), `${item.url} answered ${res.status}`);
}
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(`ok: ${playlist.items.length} channel(s) parsed and tuned`);

// Checks that a channel is called the same everywhere a client shows it: the M3U title, its
// tvg-name (both as iptv-playlist-parser reads them) and the XMLTV display-name of the channel
// with that tvg-id; and that the XMLTV carries no stream key.
// usage: node check_names.mjs <channels.m3u> <guide.xml> <key> <expected name>...
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const parser = require('iptv-playlist-parser');

const [m3uFile, xmlFile, key, ...expected] = process.argv.slice(2);
const playlist = parser.parse(readFileSync(m3uFile, 'utf8'));
const xml = readFileSync(xmlFile, 'utf8');
const unescape = (s) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<')
  .replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const displayNames = new Map();
for (const m of xml.matchAll(/<channel id="([^"]*)">\s*<display-name>([^<]*)<\/display-name>/g)) {
  displayNames.set(unescape(m[1]), unescape(m[2]));
}
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };
check(playlist.items.length === expected.length,
      `${playlist.items.length} channels, expected ${expected.length}`);
playlist.items.forEach((item, i) => {
  check(item.name === expected[i], `title ${JSON.stringify(item.name)} vs ${JSON.stringify(expected[i])}`);
  check(item.tvg.name === item.name, `tvg-name ${JSON.stringify(item.tvg.name)} vs ${JSON.stringify(item.name)}`);
  check(displayNames.get(item.tvg.id) === item.name,
        `display-name ${JSON.stringify(displayNames.get(item.tvg.id))} vs ${JSON.stringify(item.name)}`);
  check(item.url.includes(`key=${key}`), `channel url without the key: ${item.url}`);
  check(!item.tvg.logo.includes('key='), `logo url carries a key: ${item.tvg.logo}`);
});
check(!xml.includes(key), 'guide.xml carries the stream key');
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(`ok: ${playlist.items.length} channel name(s) agree`);

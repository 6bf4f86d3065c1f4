export interface MasterAudioTrack {
  groupId: string;
  name: string;
  language: string;
  isDefault: boolean;
  uri?: string;
}

/** Splits an HLS attribute list, honouring quoted strings (RFC 8216 §4.2). */
export function parseAttributes(list: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Z0-9-]+)=("([^"]*)"|[^,]*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(list))) out[m[1]] = m[3] !== undefined ? m[3] : m[2];
  return out;
}

/** The audio renditions a master playlist declares (EXT-X-MEDIA TYPE=AUDIO), in order. */
export function parseMasterAudio(master: string): MasterAudioTrack[] {
  const tracks: MasterAudioTrack[] = [];
  for (const line of master.split(/\r?\n/)) {
    if (!line.startsWith("#EXT-X-MEDIA:")) continue;
    const a = parseAttributes(line.slice("#EXT-X-MEDIA:".length));
    if (a.TYPE !== "AUDIO") continue;
    tracks.push({ groupId: a["GROUP-ID"] ?? "", name: a.NAME ?? a.LANGUAGE ?? "Audio", language: a.LANGUAGE ?? "", isDefault: a.DEFAULT === "YES", uri: a.URI });
  }
  return tracks;
}

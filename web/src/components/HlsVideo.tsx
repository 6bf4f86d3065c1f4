import { forwardRef, useEffect, useImperativeHandle, useRef, type VideoHTMLAttributes } from "react";
import type HlsType from "hls.js";
import type { HlsConfig, LoaderCallbacks, LoaderConfiguration, LoaderContext } from "hls.js";
import { rebaseDiscontinuitySequence, type RebaseState } from "./hlsRebase";

/** hls.js's playlist loader, with each playlist's discontinuity sequence rebased (see hlsRebase). */
function rebasingPlaylistLoader(Hls: typeof HlsType): HlsConfig["pLoader"] {
  const Base = Hls.DefaultConfig.loader;
  const state: RebaseState = { base: null };
  return class RebasingLoader extends Base {
    load(context: LoaderContext, config: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>) {
      const onSuccess = callbacks.onSuccess;
      super.load(context, config, {
        ...callbacks,
        onSuccess: (response, stats, ctx, details) => {
          if (typeof response.data === "string") response.data = rebaseDiscontinuitySequence(response.data, state);
          onSuccess(response, stats, ctx, details);
        },
      });
    }
  } as unknown as HlsConfig["pLoader"];
}

export interface AudioTrackInfo {
  id: number;
  name: string;
  lang: string;
}

export interface HlsVideoHandle {
  video: HTMLVideoElement | null;
  /** Switches the HLS audio rendition (hls.js) or the native audio track. */
  setAudioTrack(id: number): void;
  /** Live: the EXT-X-PROGRAM-DATE-TIME (Unix ms) of the frame at the playhead, or null. */
  playingDate(): number | null;
}

type Props = Omit<VideoHTMLAttributes<HTMLVideoElement>, "src"> & {
  src: string;
  /** Let hls.js render the HLS subtitle renditions (live channels); VOD uses <track> files. */
  hlsSubtitles?: boolean;
  live?: boolean;
  onAudioTracks?: (tracks: AudioTrackInfo[], current: number) => void;
  onPlaybackError?: (message: string) => void;
};

export const isHlsUrl = (src: string) => /\.m3u8(\?|$)/i.test(src);

/**
 * A <video> that plays HLS through hls.js (loaded on demand, so it never weighs on first load)
 * and falls back to the browser's native HLS; plain files play natively.
 */
export const HlsVideo = forwardRef<HlsVideoHandle, Props>(function HlsVideo(
  { src, hlsSubtitles = false, live = false, onAudioTracks, onPlaybackError, children, ...videoProps },
  ref,
) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const hlsRef = useRef<import("hls.js").default | null>(null);
  const cbRef = useRef({ onAudioTracks, onPlaybackError });
  cbRef.current = { onAudioTracks, onPlaybackError };

  useImperativeHandle(ref, () => ({
    get video() {
      return videoRef.current;
    },
    setAudioTrack(id: number) {
      const hls = hlsRef.current;
      if (hls) {
        hls.audioTrack = id;
        return;
      }
      const native = (videoRef.current as unknown as { audioTracks?: { length: number; [i: number]: { enabled: boolean } } })?.audioTracks;
      if (native) for (let i = 0; i < native.length; i++) native[i].enabled = i === id;
    },
    playingDate() {
      const d = hlsRef.current?.playingDate;
      return d ? d.getTime() : null;
    },
  }), []);

  useEffect(() => {
    const video = videoRef.current;
    if (!video || !src) return;
    let cancelled = false;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    if (!isHlsUrl(src)) {
      video.src = src;
      return () => {
        cancelled = true;
      };
    }
    void import("hls.js").then(({ default: Hls }) => {
      if (cancelled) return;
      if (!Hls.isSupported()) {
        if (video.canPlayType("application/vnd.apple.mpegurl")) video.src = src;
        else cbRef.current.onPlaybackError?.("This browser cannot play HLS streams.");
        return;
      }
      const hls = new Hls({
        enableWebVTT: hlsSubtitles,
        renderTextTracksNatively: true,
        lowLatencyMode: false,
        liveSyncDurationCount: live ? 3 : undefined,
        backBufferLength: live ? 30 : 90,
        pLoader: rebasingPlaylistLoader(Hls),
      });
      hlsRef.current = hls;
      const report = () =>
        cbRef.current.onAudioTracks?.(
          hls.audioTracks.map((t, i) => ({ id: i, name: t.name || t.lang || `Track ${i + 1}`, lang: t.lang ?? "" })),
          hls.audioTrack,
        );
      hls.on(Hls.Events.MANIFEST_PARSED, report);
      hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, report);
      hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, report);
      let mediaRecoveries = 0;
      let networkRetries = 0;
      hls.on(Hls.Events.FRAG_LOADED, () => {
        networkRetries = 0;
      });
      hls.on(Hls.Events.ERROR, (_e, data) => {
        if (!data.fatal) return;
        if (data.type === Hls.ErrorTypes.NETWORK_ERROR && networkRetries < 6) {
          // Back off (0.5 s … 16 s) so a server that is down is not hammered.
          const delay = 500 * 2 ** networkRetries++;
          retryTimer = setTimeout(() => hlsRef.current === hls && hls.startLoad(), delay);
        } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries++ < 3) {
          hls.recoverMediaError();
        } else {
          cbRef.current.onPlaybackError?.(`Playback failed: ${data.details}`);
          hls.destroy();
          hlsRef.current = null;
        }
      });
      hls.loadSource(src);
      hls.attachMedia(video);
    });
    return () => {
      cancelled = true;
      clearTimeout(retryTimer);
      hlsRef.current?.destroy();
      hlsRef.current = null;
    };
  }, [src, hlsSubtitles, live]);

  return (
    <video ref={videoRef} playsInline {...videoProps}>
      {children}
    </video>
  );
});

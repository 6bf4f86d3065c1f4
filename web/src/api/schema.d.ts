// Generated from api/openapi.yaml by `npm run gen:api`. Do not edit.
export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness probe */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether an admin password exists (first-run set-up) */
        get: operations["getAuthStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/setup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sets the first password (only while none is set); logs in */
        post: operations["setupPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Logs in with the password */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ends the session and clears the cookie */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user and the session's CSRF token (null for bearer tokens) */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Changes the password; every other session ends, the caller's continues */
        post: operations["changePassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** API tokens of the user (without their secret) */
        get: operations["listTokens"];
        put?: never;
        /** Creates an API token; the secret is shown once */
        post: operations["createToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revokes an API token */
        delete: operations["deleteToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stream-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The read-only stream key for IPTV clients (created on first use) */
        get: operations["getStreamKey"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stream-key/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replaces the stream key (the old one stops working at once) */
        post: operations["rotateStreamKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/generate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Queues a generation job */
        post: operations["generate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Jobs, newest first */
        get: operations["listJobs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        /** A job with its recent logs, recorded stage outputs and assets */
        get: operations["getJob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        /** Log lines with id greater than `after`, oldest first (at most 1000) */
        get: operations["getJobLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancels a job (a queued job at once, a running one promptly) */
        post: operations["cancelJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Puts a failed or canceled job back in the queue */
        post: operations["retryJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}/scenes/{n}/regenerate": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
                /** @description Scene number, from 1 */
                n: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Regenerates one scene (optionally edited) and re-assembles the job's outputs */
        post: operations["regenerateScene"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The library, with full-text search (title, description, prompt, transcript) */
        get: operations["listContent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/content/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        /** One library item */
        get: operations["getContent"];
        put?: never;
        post?: never;
        /** Deletes the item, its media (`library/<id>/`) and its place in playlists */
        delete: operations["deleteContent"];
        options?: never;
        head?: never;
        /** Changes title, description, visibility or published */
        patch: operations["patchContent"];
        trace?: never;
    };
    "/api/v1/content/{id}/publish": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Adds the item to the default LiveLoop channel (idempotent) */
        post: operations["publishContent"];
        /** Removes the item from the default LiveLoop channel (idempotent) */
        delete: operations["unpublishContent"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/content/{id}/assets": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        /** The item's assets with provenance (engine, model, parameters) */
        get: operations["listContentAssets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/engines": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Each capability's configured engine and its health (what `beacon doctor` says) */
        get: operations["listEngines"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/voices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Voices of the configured voice engine */
        get: operations["listVoices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/system": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Free disk space in the folders jobs write, and the reserve below which new jobs are refused */
        get: operations["systemStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/playlists": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** LiveLoop channels */
        get: operations["listPlaylists"];
        put?: never;
        /** Creates a channel (slug derived from the title when absent) */
        post: operations["createPlaylist"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/playlists/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        /** One channel */
        get: operations["getPlaylist"];
        put?: never;
        post?: never;
        /** Deletes a channel */
        delete: operations["deletePlaylist"];
        options?: never;
        head?: never;
        /** Changes a channel; `items` replaces the whole list (order = play order) */
        patch: operations["patchPlaylist"];
        trace?: never;
    };
    "/api/v1/playlists/{id}/insert": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Inserts an interstitial ("play next" or at a time) */
        post: operations["insertIntoPlaylist"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/playlists/{id}/now": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        /** What the channel plays now and next */
        get: operations["getPlaylistNow"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * WebSocket of typed, versioned events (upgrade required)
         * @description Upgrade to a WebSocket (auth: cookie, bearer header, or `?token=<api token>`).
         *     The server first replays the events after `after` (query, default: none replayed), then
         *     streams live events. Each server message is one JSON `Event` (see the schema: a union
         *     discriminated by `type`: job.updated, job.log, content.updated, content.deleted,
         *     playlist.updated), or `{"type":"resync","v":1}` when events after the requested sequence
         *     number were already dropped from history (or the server restarted), or when more
         *     events were missed than one replay sends (1000 by default): refetch state. A resync
         *     carries a `reason`; what it did not replay is not sent afterwards.
         *     The client may send `{"type":"resume","after":N}` at any time to replay from N.
         *     Sequence numbers only grow; clients keep the last `seq` seen and ignore duplicates.
         *     A client that falls too far behind is disconnected (close code 1008) and should
         *     reconnect with `after`. The server pings idle connections.
         */
        get: operations["events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/media/{key}": {
        parameters: {
            query?: {
                /** @description Stream key; accepted only for `library/*` keys. */
                key?: string;
            };
            header?: never;
            path: {
                /**
                 * @description An object-store key, slashes included (e.g. `library/12/hls/video/seg_00000.ts`).
                 *     Lowercase `[a-z0-9/._-]`; `.`/`..` segments and encoded slashes are rejected with 400.
                 */
                key: string;
            };
            cookie?: never;
        };
        /**
         * A stored file, with Range support
         * @description Content-Type by extension (mp4, m3u8, ts, m4s, vtt, jpg, png, json, wav, mp3). ETag and
         *     Last-Modified; If-None-Match gives 304. Cache-Control: `no-cache` for m3u8 and
         *     `private, no-cache` for everything else (library files are rewritten in place when a scene
         *     is regenerated, so they are revalidated, never cached as immutable). A single
         *     `Range: bytes=a-b` gives 206 with
         *     Content-Range; an unsatisfiable range gives 416.
         */
        get: operations["getMedia"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/discover.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** HDHomeRun device identity ([liveloop] hdhomerun; no sign-in, as Plex and Jellyfin call it) */
        get: operations["getTunerDiscover"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/lineup_status.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** HDHomeRun scan status: {"ScanInProgress":0,"ScanPossible":1,"Source":"Cable","SourceList":["Cable"]} */
        get: operations["getTunerLineupStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/lineup.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The channels of channels.m3u as an HDHomeRun lineup (URLs of stream.ts carrying the owner's stream key) */
        get: operations["getTunerLineup"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/device.xml": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** UPnP device description of the emulated HDHomeRun */
        get: operations["getTunerDeviceXml"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/lineup.post": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Starts or aborts a channel scan (nothing to scan; the lineup is always current) */
        post: operations["postTunerLineupScan"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/channels.m3u": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** M3U list of the channels (absolute URLs carrying the stream key) */
        get: operations["getChannelsM3u"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/guide.xml": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** XMLTV guide of the channels */
        get: operations["getGuideXml"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/{slug}/index.m3u8": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
            };
            cookie?: never;
        };
        /** The channel's HLS master playlist */
        get: operations["getLiveMaster"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/{slug}/video.m3u8": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
            };
            cookie?: never;
        };
        /** The channel's live video media playlist */
        get: operations["getLiveVideo"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/{slug}/audio_{lang}.m3u8": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                lang: components["parameters"]["Lang"];
            };
            cookie?: never;
        };
        /** The channel's live audio media playlist for a language */
        get: operations["getLiveAudio"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/{slug}/subs_{lang}.m3u8": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                lang: components["parameters"]["Lang"];
            };
            cookie?: never;
        };
        /** The channel's live WebVTT subtitle playlist for a language */
        get: operations["getLiveSubtitles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/logo.svg": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The channel logo referenced by the M3U and XMLTV guide (public, no key) */
        get: operations["getLiveLogo"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/{slug}/empty/{mpegts}/{msn}.vtt": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                /** @description The X-TIMESTAMP-MAP MPEGTS value of the stand-in segment. */
                mpegts: number;
                /** @description The media sequence number of the stand-in segment. */
                msn: number;
            };
            cookie?: never;
        };
        /** An empty WebVTT segment standing in for an item without subtitles in a language */
        get: operations["getLiveEmptySubtitleSegment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/{slug}/tv.m3u8": {
        parameters: {
            query?: {
                /** @description audio language (default: the channel's first) */
                lang?: string;
            };
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
            };
            cookie?: never;
        };
        /** The channel as one muxed (video + audio) media playlist, for IPTV apps (what channels.m3u lists) */
        get: operations["getLiveTv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/{slug}/muxed_{lang}.m3u8": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                lang: components["parameters"]["Lang"];
            };
            cookie?: never;
        };
        /** The channel's muxed (video + audio in one TS) media playlist for a language */
        get: operations["getLiveMuxed"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/{slug}/stream.ts": {
        parameters: {
            query?: {
                /** @description audio language (default: the channel's first) */
                lang?: string;
            };
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
            };
            cookie?: never;
        };
        /** One endless MPEG-TS of the channel from one segment behind the live edge (video + one audio language), until the client disconnects */
        get: operations["getLiveStreamTs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/{slug}/v/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                /** @description <msn>.ts (or <msn>.vtt for subtitles): the segment with that media sequence number */
                file: string;
            };
            cookie?: never;
        };
        /** A video segment of the channel, its timestamps on the channel's continuous clock */
        get: operations["getLiveVideoSegment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/{slug}/a/{lang}/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                lang: components["parameters"]["Lang"];
                /** @description <msn>.ts (or <msn>.vtt for subtitles): the segment with that media sequence number */
                file: string;
            };
            cookie?: never;
        };
        /** An audio segment of the channel in a language (the item's original where it lacks it) */
        get: operations["getLiveAudioSegment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/{slug}/m/{lang}/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                lang: components["parameters"]["Lang"];
                /** @description <msn>.ts (or <msn>.vtt for subtitles): the segment with that media sequence number */
                file: string;
            };
            cookie?: never;
        };
        /** A muxed (video + audio) segment of the channel */
        get: operations["getLiveMuxedSegment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live/{slug}/s/{lang}/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                lang: components["parameters"]["Lang"];
                /** @description <msn>.ts (or <msn>.vtt for subtitles): the segment with that media sequence number */
                file: string;
            };
            cookie?: never;
        };
        /** A WebVTT segment of the channel (empty where the item has no subtitles in the language) */
        get: operations["getLiveSubtitleSegment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            error: {
                /**
                 * @description invalid_argument, unauthorized, forbidden, not_found, method_not_allowed,
                 *     conflict, too_large, range_not_satisfiable, rate_limited, canceled, timeout,
                 *     unavailable, external_error, internal
                 */
                code: string;
                message: string;
            };
        };
        User: {
            /** Format: int64 */
            id: number;
            name: string;
        };
        LoginResponse: {
            user: components["schemas"]["User"];
            csrf_token: string | null;
        };
        ApiToken: {
            /** Format: int64 */
            id: number;
            name: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            last_used_at?: string | null;
        };
        StreamKey: {
            key: string;
            m3u_url: string;
            guide_url: string;
        };
        /** @enum {string} */
        JobState: "queued" | "generating_script" | "rendering_preview" | "rendering_final" | "composing" | "completed" | "failed" | "canceled";
        GenerateRequest: {
            prompt: string;
            title?: string;
            /** @default cinematic */
            style: string;
            voice?: string;
            /** @default en */
            language: string;
            /** @default 7 */
            duration_target: number;
            /**
             * @default 720p
             * @enum {string}
             */
            output_preset: "480p" | "720p" | "1080p";
            /** @default true */
            produce_preview: boolean;
        };
        JobError: {
            code: string;
            message: string;
        };
        Job: {
            /** Format: int64 */
            id: number;
            /** Format: int64 */
            job_id: number;
            /** Format: int64 */
            user_id?: number;
            prompt: string;
            prompt_text?: string;
            title?: string;
            style?: string;
            voice?: string;
            language?: string;
            duration_target?: number;
            output_preset?: string;
            produce_preview?: boolean;
            status: components["schemas"]["JobState"];
            progress: number;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            preview_url?: string | null;
            final_url?: string | null;
            thumbnail_url?: string | null;
            vtt_url?: string | null;
            error?: components["schemas"]["JobError"] | null;
            error_log?: string;
            attempts?: number;
            cancel_requested?: boolean;
            /** Format: int64 */
            content_id?: number | null;
        };
        JobDetail: components["schemas"]["Job"] & {
            /** @description The most recent 200 log lines, oldest first. */
            logs: components["schemas"]["LogLine"][];
            /** @description Finished stage name → its recorded outputs (script, scenes, timings). */
            stages: {
                [key: string]: unknown;
            };
            assets: components["schemas"]["Asset"][];
        };
        LogLine: {
            /** Format: int64 */
            id: number;
            /** Format: int64 */
            job_id: number;
            /** Format: date-time */
            at: string;
            stage: string;
            /** @enum {string} */
            level: "info" | "warn" | "error" | "cmd";
            message: string;
        };
        /** @enum {string} */
        Visibility: "private" | "public";
        Content: {
            /** Format: int64 */
            id: number;
            /** Format: int64 */
            owner_id?: number;
            /** Format: int64 */
            job_id?: number | null;
            title: string;
            description?: string;
            prompt?: string;
            mp4_url: string;
            hls_url: string;
            thumbnail: string;
            poster?: string;
            preview_url?: string;
            vtt_url?: string;
            chapters_url?: string;
            /** @description seconds */
            duration: number;
            languages: string[];
            published: boolean;
            visibility: components["schemas"]["Visibility"];
            transcript?: string;
            script?: {
                [key: string]: unknown;
            };
            entities?: unknown[];
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at?: string;
        };
        Asset: {
            /** Format: int64 */
            id: number;
            /** Format: int64 */
            job_id?: number | null;
            /** Format: int64 */
            content_id?: number | null;
            kind: string;
            hash: string;
            key: string;
            mime: string;
            /** Format: int64 */
            size: number;
            engine: string;
            model: string;
            parameters: {
                [key: string]: unknown;
            };
            /** Format: date-time */
            created_at: string;
        };
        EngineStatus: {
            capability: string;
            engine: string;
            builtin: boolean;
            ok: boolean;
            detail: string;
        };
        Voice: {
            id: string;
            name: string;
            language: string;
        };
        Slug: string;
        /** @enum {string} */
        LoopMode: "in_order" | "shuffle";
        /** @description Exactly one of content_id and playlist_id. */
        ScheduledSlot: {
            /** @description HH:MM, server local time */
            time: string;
            days: "daily" | number[];
            /** Format: int64 */
            content_id?: number;
            /** Format: int64 */
            playlist_id?: number;
        };
        Insert: {
            /** @description Unique within the channel. */
            id: string;
            /** Format: int64 */
            content_id: number;
            /** @description "next" or an RFC 3339 UTC time. */
            at: string;
            /**
             * Format: int64
             * @description Unix milliseconds of `at` (absent for next).
             */
            at_ms?: number;
            /** Format: date-time */
            created_at?: string;
        };
        Playlist: {
            /** Format: int64 */
            id: number;
            slug: components["schemas"]["Slug"];
            title: string;
            items: number[];
            loop_mode: components["schemas"]["LoopMode"];
            active: boolean;
            /** @description /live/<slug>/index.m3u8 */
            hls_endpoint: string;
            scheduled_slots: components["schemas"]["ScheduledSlot"][];
            inserts: components["schemas"]["Insert"][];
            /** Format: date-time */
            created_at?: string;
            /** Format: date-time */
            updated_at?: string;
        };
        NowEntry: {
            /** Format: int64 */
            content_id: number;
            title: string;
            /** Format: date-time */
            start: string;
            /** Format: date-time */
            end: string;
        };
        NowPlaying: {
            now: components["schemas"]["NowEntry"] | null;
            next: components["schemas"]["NowEntry"][];
        };
        JobLogEventData: components["schemas"]["LogLine"];
        JobUpdatedEvent: {
            /** Format: int64 */
            seq: number;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "job.updated";
            /** @constant */
            v: 1;
            data: components["schemas"]["Job"];
        };
        JobLogEvent: {
            /** Format: int64 */
            seq: number;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "job.log";
            /** @constant */
            v: 1;
            data: components["schemas"]["JobLogEventData"];
        };
        ContentUpdatedEvent: {
            /** Format: int64 */
            seq: number;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "content.updated";
            /** @constant */
            v: 1;
            data: components["schemas"]["Content"];
        };
        ContentDeletedEvent: {
            /** Format: int64 */
            seq: number;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "content.deleted";
            /** @constant */
            v: 1;
            data: {
                /** Format: int64 */
                id: number;
            };
        };
        PlaylistUpdatedEvent: {
            /** Format: int64 */
            seq: number;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "playlist.updated";
            /** @constant */
            v: 1;
            /** @description The channel, or `{"id":N,"deleted":true}` after a delete. */
            data: components["schemas"]["Playlist"] | {
                /** Format: int64 */
                id: number;
                /** @constant */
                deleted: true;
            };
        };
        ResyncMessage: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "resync";
            /** @constant */
            v: 1;
            /** @description why (history gone, or more missed events than a resume replays) */
            reason?: string;
        };
        /** @description Client → server. */
        ResumeMessage: {
            /** @constant */
            type: "resume";
            /** Format: int64 */
            after: number;
        };
        /** @description A server → client WebSocket message. */
        Event: components["schemas"]["JobUpdatedEvent"] | components["schemas"]["JobLogEvent"] | components["schemas"]["ContentUpdatedEvent"] | components["schemas"]["ContentDeletedEvent"] | components["schemas"]["PlaylistUpdatedEvent"] | components["schemas"]["ResyncMessage"];
    };
    responses: {
        /** @description The request is malformed or a field is invalid (the message names it). */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Not signed in, bad credentials, or a missing/wrong CSRF token (403). */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No such resource. */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The resource's state does not allow it. */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body exceeds the configured limit. */
        TooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Too many failed attempts; see Retry-After (seconds). */
        RateLimited: {
            headers: {
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The module behind this route is not running or a dependency is down. */
        Unavailable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description A playlist, M3U list or XMLTV document. */
        LiveText: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/vnd.apple.mpegurl": string;
                "audio/x-mpegurl": string;
                "application/xml": string;
            };
        };
    };
    parameters: {
        Id: number;
        Slug: components["schemas"]["Slug"];
        Lang: string;
        Limit: number;
        Offset: number;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The server is up. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ok";
                    };
                };
            };
        };
    };
    getAuthStatus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Status */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        password_set: boolean;
                        /** @description whether this request is signed in (session cookie or bearer token) */
                        authenticated: boolean;
                    };
                };
            };
        };
    };
    setupPassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    password: string;
                };
            };
        };
        responses: {
            /** @description Logged in; sets the `beacon_session` cookie. */
            200: {
                headers: {
                    "Set-Cookie"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            /** @description Sent from another site's page (Origin or Sec-Fetch-Site not this server). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A password is already set. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    password: string;
                    /** @default admin */
                    username?: string;
                };
            };
        };
        responses: {
            /** @description Logged in; sets the `beacon_session` cookie (HttpOnly, SameSite=Strict, Path=/). */
            200: {
                headers: {
                    "Set-Cookie"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            /** @description Sent from another site's page (Origin or Sec-Fetch-Site not this server). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["RateLimited"];
            /** @description Too many sign-ins are being checked at once (Retry-After says when to try again). */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Logged out. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Current user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginResponse"];
                };
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    changePassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    current_password: string;
                    new_password: string;
                    /**
                     * @description also revoke every API token
                     * @default false
                     */
                    revoke_tokens?: boolean;
                };
            };
        };
        responses: {
            /** @description Changed. A cookie caller gets a new `beacon_session` cookie and CSRF token (its old session ended with the old password); a bearer caller gets csrf_token null. */
            200: {
                headers: {
                    "Set-Cookie"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginResponse"] & {
                        /** @description API tokens revoked (0 unless revoke_tokens) */
                        revoked_tokens: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
        };
    };
    listTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Tokens */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["ApiToken"][];
                    };
                };
            };
        };
    };
    createToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: int64 */
                        id: number;
                        name: string;
                        token: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
        };
    };
    deleteToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["NotFound"];
        };
    };
    getStreamKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Key and the URLs that carry it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StreamKey"];
                };
            };
        };
    };
    rotateStreamKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The new key */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StreamKey"];
                };
            };
        };
    };
    generate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["GenerateRequest"];
            };
        };
        responses: {
            /** @description Queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: int64 */
                        job_id: number;
                        status: components["schemas"]["JobState"];
                        job: components["schemas"]["Job"];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            413: components["responses"]["TooLarge"];
            /** @description An unknown voice or a language the voice engine does not speak; the message names what GET /api/v1/voices offers */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Less free disk space than the reserve ([storage] min_free_mb); the message names the folder and its free space */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listJobs: {
        parameters: {
            query?: {
                state?: components["schemas"]["JobState"];
                limit?: components["parameters"]["Limit"];
                offset?: components["parameters"]["Offset"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of jobs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Job"][];
                        total: number;
                        limit: number;
                        offset: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
        };
    };
    getJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The job */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDetail"];
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    getJobLogs: {
        parameters: {
            query?: {
                after?: number;
            };
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Log lines */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["LogLine"][];
                    };
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    cancelJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The job after the request */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    retryJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queued again */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    regenerateScene: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
                /** @description Scene number, from 1 */
                n: number;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    description?: string;
                    lines?: string[];
                    /** Format: int64 */
                    seed?: number;
                };
            };
        };
        responses: {
            /** @description The job, queued again */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Unavailable"];
        };
    };
    listContent: {
        parameters: {
            query?: {
                q?: string;
                sort?: "newest" | "oldest" | "title" | "duration";
                published?: boolean;
                visibility?: components["schemas"]["Visibility"];
                limit?: components["parameters"]["Limit"];
                offset?: components["parameters"]["Offset"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of library items */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Content"][];
                        total: number;
                        limit: number;
                        offset: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
        };
    };
    getContent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The item */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Content"];
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    deleteContent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["NotFound"];
        };
    };
    patchContent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    title?: string;
                    description?: string;
                    visibility?: components["schemas"]["Visibility"];
                    published?: boolean;
                };
            };
        };
        responses: {
            /** @description The changed item */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Content"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
        };
    };
    publishContent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The item */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Content"];
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    unpublishContent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The item */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Content"];
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    listContentAssets: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Assets */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Asset"][];
                    };
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    listEngines: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Engines */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["EngineStatus"][];
                    };
                };
            };
            503: components["responses"]["Unavailable"];
        };
    };
    listVoices: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Voices */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Voice"][];
                    };
                };
            };
            /** @description The voice service failed or refused Beacon's key (external_error, naming the service); never a 401, which only Beacon's own sign-in answers */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            503: components["responses"]["Unavailable"];
            /** @description The voice service gave no answer in time (timeout) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    systemStatus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Storage status */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description null when this server runs no job workers */
                        disk: {
                            /** Format: int64 */
                            min_free_mb: number;
                            accepting_jobs: boolean;
                            folders: {
                                path: string;
                                /** Format: int64 */
                                free_mb: number;
                                /** Format: int64 */
                                total_mb: number;
                            }[];
                        } | null;
                    };
                };
            };
        };
    };
    listPlaylists: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Channels */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Playlist"][];
                    };
                };
            };
        };
    };
    createPlaylist: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    title: string;
                    slug?: components["schemas"]["Slug"];
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Playlist"];
                };
            };
            400: components["responses"]["BadRequest"];
            409: components["responses"]["Conflict"];
        };
    };
    getPlaylist: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The channel */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Playlist"];
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    deletePlaylist: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["NotFound"];
        };
    };
    patchPlaylist: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    title?: string;
                    slug?: components["schemas"]["Slug"];
                    /** @description Existing content ids. */
                    items?: number[];
                    loop_mode?: components["schemas"]["LoopMode"];
                    active?: boolean;
                    scheduled_slots?: components["schemas"]["ScheduledSlot"][];
                };
            };
        };
        responses: {
            /** @description The changed channel */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Playlist"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    insertIntoPlaylist: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: int64 */
                    content_id: number;
                    /** @description "next" (default) or an RFC 3339 time. */
                    at?: string;
                };
            };
        };
        responses: {
            /** @description The channel with the insert */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Playlist"] & {
                        /**
                         * Format: date-time
                         * @description when the inserted item starts on the channel, when it is among the next five programmes
                         */
                        airs_at?: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
        };
    };
    getPlaylistNow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Now and next */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NowPlaying"];
                };
            };
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    events: {
        parameters: {
            query?: {
                after?: number;
                /** @description An API token, for clients that cannot set headers. */
                token?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching protocols; messages follow the `Event` schema. */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Event"];
                };
            };
            /** @description Not a WebSocket upgrade request, or a malformed handshake (Sec-WebSocket-Key, HTTP/1.1). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unsupported Sec-WebSocket-Version (the answer names 13 in Sec-WebSocket-Version). */
            426: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getMedia: {
        parameters: {
            query?: {
                /** @description Stream key; accepted only for `library/*` keys. */
                key?: string;
            };
            header?: {
                Range?: string;
            };
            path: {
                /**
                 * @description An object-store key, slashes included (e.g. `library/12/hls/video/seg_00000.ts`).
                 *     Lowercase `[a-z0-9/._-]`; `.`/`..` segments and encoded slashes are rejected with 400.
                 */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The whole file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description The requested byte range */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description Not modified. */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            /** @description Range not satisfiable */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTunerDiscover: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The device as an HDHomeRun describes itself. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        FriendlyName: string;
                        Manufacturer?: string;
                        ManufacturerURL?: string;
                        /** @example HDTC-2US */
                        ModelNumber: string;
                        /** @example hdhomeruntc_atsc */
                        FirmwareName: string;
                        FirmwareVersion: string;
                        /** @description 8 hex digits with libhdhomerun's checksum */
                        DeviceID: string;
                        DeviceAuth: string;
                        BaseURL: string;
                        LineupURL: string;
                        TunerCount: number;
                    };
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    getTunerLineupStatus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No scan is running; one may start. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        ScanInProgress?: number;
                        ScanPossible?: number;
                        Source?: string;
                        SourceList?: string[];
                    };
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    getTunerLineup: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One entry per active channel. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description = tvg-chno */
                        GuideNumber: string;
                        /** @description = tvg-name and the XMLTV display-name */
                        GuideName: string;
                        /** @description absolute /live/<slug>/stream.ts?key=... */
                        URL: string;
                    }[];
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    getTunerDeviceXml: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description UPnP MediaServer device description. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/xml": string;
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    postTunerLineupScan: {
        parameters: {
            query: {
                scan: "start" | "abort";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
        };
    };
    getChannelsM3u: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["LiveText"];
            401: components["responses"]["Unauthorized"];
            503: components["responses"]["Unavailable"];
        };
    };
    getGuideXml: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["LiveText"];
            401: components["responses"]["Unauthorized"];
            503: components["responses"]["Unavailable"];
        };
    };
    getLiveMaster: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["LiveText"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    getLiveVideo: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["LiveText"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    getLiveAudio: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                lang: components["parameters"]["Lang"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["LiveText"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    getLiveSubtitles: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                lang: components["parameters"]["Lang"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["LiveText"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    getLiveLogo: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description SVG image */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/svg+xml": string;
                };
            };
            503: components["responses"]["Unavailable"];
        };
    };
    getLiveEmptySubtitleSegment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                /** @description The X-TIMESTAMP-MAP MPEGTS value of the stand-in segment. */
                mpegts: number;
                /** @description The media sequence number of the stand-in segment. */
                msn: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description WebVTT */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/vtt": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    getLiveTv: {
        parameters: {
            query?: {
                /** @description audio language (default: the channel's first) */
                lang?: string;
            };
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["LiveText"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    getLiveMuxed: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                lang: components["parameters"]["Lang"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["LiveText"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    getLiveStreamTs: {
        parameters: {
            query?: {
                /** @description audio language (default: the channel's first) */
                lang?: string;
            };
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description MPEG transport stream with no length (the connection closes at its end) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "video/mp2t": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    getLiveVideoSegment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                /** @description <msn>.ts (or <msn>.vtt for subtitles): the segment with that media sequence number */
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The segment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "video/mp2t": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    getLiveAudioSegment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                lang: components["parameters"]["Lang"];
                /** @description <msn>.ts (or <msn>.vtt for subtitles): the segment with that media sequence number */
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The segment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "video/mp2t": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    getLiveMuxedSegment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                lang: components["parameters"]["Lang"];
                /** @description <msn>.ts (or <msn>.vtt for subtitles): the segment with that media sequence number */
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The segment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "video/mp2t": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    getLiveSubtitleSegment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: components["parameters"]["Slug"];
                lang: components["parameters"]["Lang"];
                /** @description <msn>.ts (or <msn>.vtt for subtitles): the segment with that media sequence number */
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The segment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/vtt": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
}

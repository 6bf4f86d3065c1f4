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
    "/api/v1/generate/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Queues many prompts at once (a batch); its jobs yield to interactive ones */
        post: operations["generateBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/batches": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's batches, newest first (at most 100) */
        get: operations["listBatches"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/batches/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A batch with its counts by state, progress and a line per job */
        get: operations["getBatch"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/batches/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancels every unfinished job of the batch */
        post: operations["cancelBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/batches/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Requeues the batch's failed and canceled jobs */
        post: operations["retryBatch"];
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
    "/api/v1/content/{id}/languages": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        /** The item's languages (original, dubs, captions-only) and the targets it can still gain */
        get: operations["listContentLanguages"];
        put?: never;
        /** Add a language (a `localize` job translates, dubs and packages it; see docs/languages.md) */
        post: operations["addContentLanguage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/content/{id}/languages/{lang}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
                lang: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove an added language (its HLS renditions, MP4 streams and captions); not the original */
        delete: operations["deleteContentLanguage"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import your own audio or video (an `import` job transcodes it once into the house format, packages HLS, captions it with Whisper when configured, and adds it to the library) */
        post: operations["importMedia"];
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
    "/api/v1/parties": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a watch party on a library item or a LiveLoop channel
         * @description Parties live in memory (they end with the server, or after 15 minutes with nobody
         *     connected). The answer's invite token is HMAC-signed, expires (24 h) and grants this
         *     party's description, socket and media only; every other route treats it as no
         *     credentials at all. See docs/party.md.
         */
        post: operations["createParty"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/parties/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        /**
         * The party (title, host, state, member count) and media URLs the caller can open
         * @description Signed in, or with `?invite=` (or header `X-Party-Invite`) for this party. Guests' media URLs carry the invite.
         */
        get: operations["getParty"];
        put?: never;
        post?: never;
        /** End the party; every member gets {"type":"ended"} and is disconnected */
        delete: operations["endParty"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/parties/{id}/invites": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A fresh invite link for the party */
        post: operations["createPartyInvite"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/parties/{id}/media/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                /** @description a path inside the party's library item folder, e.g. hls/master.m3u8 */
                key: string;
            };
            cookie?: never;
        };
        /**
         * The party item's files (HLS playlists and segments, captions, poster) for its members
         * @description Playlists served to invite holders name every URI with `?invite=`, so players need no session or stream key. Range requests are answered for files.
         */
        get: operations["getPartyMedia"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/parties/{id}/live/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                /** @description <slug>/index.m3u8 and the playlists and segments it names (not stream.ts) */
                path: string;
            };
            cookie?: never;
        };
        /** A channel party's LiveLoop playlists and segments for its members */
        get: operations["getPartyLive"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/parties/{id}/ws": {
        parameters: {
            query?: {
                /** @description guests: the invite token */
                invite?: string;
                /** @description display name (1-40 characters; required for guests) */
                name?: string;
                /** @description reconnect: the member id from hello */
                member?: number;
                /** @description reconnect: the rejoin secret from hello */
                rejoin?: string;
                /** @description reconnect: replay broadcast messages after this seq */
                after?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        /**
         * The party WebSocket (protocol v1)
         * @description Upgrade to a WebSocket. Every message is JSON `{"type": ..., "v": 1, ...}`; broadcast
         *     messages carry `seq` (resume with `?after=SEQ` or `{"type":"resume","after":SEQ}`; too
         *     far behind: `{"type":"resync"}` and the hello snapshot stands in).
         *     Server → client: `hello` {you{id,name,rejoin}, party, state, chat[], seq, server_time};
         *     `time` {id, t0, t1, t2} (t1/t2: server receive/send, Unix ms); `state` {seq, state:
         *     idle|waiting|paused|playing, playing, position (s), at (server Unix ms), rate, audio,
         *     captions, live, by, reason, waiting_for[], wait_deadline} meaning "at server time `at`
         *     the position is `position`"; `members` {host, members[{id, name, host, owner,
         *     connected, buffering, catching_up, latency_ms, joined_at}]}; `chat` {from, name, text,
         *     at}; `host` {host, name, reason: handoff|host_disconnected|host_left}; `settings`
         *     {anyone_controls}; `ended` {reason}; `resync`; `error` {code, message}.
         *     Client → server: `time` {id, t0, rtt?}; `request` {action: play|pause|seek|rate|audio|
         *     captions, position?, rate?, track?} (host, or anyone when allowed; never on channel
         *     parties); `buffering`; `ready` {seq}; `chat` {text ≤ 500}; `handoff` {to}; `settings`
         *     {anyone_controls}; `resume` {after}; `leave`.
         *     Limits: 50 members, 20 messages/s (burst 40) and 2 chat messages/s (burst 5) per
         *     member, 4 KiB per message. TypeScript types: web/src/features/party/protocol.ts.
         */
        get: operations["partySocket"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/worlds/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The built-in scene templates a new world starts from */
        get: operations["listWorldTemplates"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/worlds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's worlds, most recently changed first */
        get: operations["listWorlds"];
        put?: never;
        /** A new world from a template (revision 1) */
        post: operations["createWorld"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/worlds/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        /** The world's newest revision (ETag is the revision) */
        get: operations["getWorld"];
        /** Saves the document as a new revision; If-Match names the revision it is based on (a stale save is 409) */
        put: operations["saveWorld"];
        post?: never;
        /** Deletes the world, its revisions, share links and unused asset bytes */
        delete: operations["deleteWorld"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/worlds/{id}/export.glb": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        /** The newest revision as glTF 2.0 binary (an export: the document stays the editable source). Imported models are merged in (meshes, materials, deduplicated textures, node trees, skins, animations); hemisphere lights have no glTF form and are left out, counted in X-Export-Warnings. 400: an imported model cannot be merged (the message names it); 413: the merged GLB would pass the export limits */
        get: operations["exportWorldGlb"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/worlds/{id}/revisions": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        /** The kept revisions, newest first */
        get: operations["listWorldRevisions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/worlds/{id}/revisions/{revision}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
                revision: number;
            };
            cookie?: never;
        };
        /** One older revision's document */
        get: operations["getWorldRevision"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/worlds/{id}/revisions/{revision}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
                revision: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Makes an older revision the newest (a new revision with its document) */
        post: operations["restoreWorldRevision"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/worlds/{id}/assets": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        /** The world's models and textures */
        get: operations["listWorldAssets"];
        put?: never;
        /** Uploads a GLB/glTF model or a PNG/JPEG/KTX2 texture (raw body, ?name=); checked and measured before storing; stored once by sha256 */
        post: operations["uploadWorldAsset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/worlds/{id}/assets/{hash}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
                hash: string;
            };
            cookie?: never;
        };
        /** An asset's bytes (immutable, Range and ETag) */
        get: operations["getWorldAsset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/worlds/{id}/share": {
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
        /** A new read-only share link (signed token; opens this world and its assets only; revocable) */
        post: operations["shareWorld"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/worlds/{id}/shares": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        /** The world's share links (tokens are not shown again) */
        get: operations["listWorldShares"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/worlds/{id}/shares/{share}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
                share: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revokes a share link */
        delete: operations["revokeWorldShare"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shared/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                token: string;
            };
            cookie?: never;
        };
        /** The shared world's newest revision, read-only, no login (the token is the credential) */
        get: operations["getSharedWorld"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shared/{token}/assets/{hash}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                token: string;
                hash: string;
            };
            cookie?: never;
        };
        /** An asset of the shared world (only that world's) */
        get: operations["getSharedWorldAsset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus text exposition (version 0.0.4) of Beacon's metrics
         * @description Jobs by state and kind, queue age, stage and job round-trip histograms, HTTP requests by
         *     route pattern and status, disk and storage bytes, LiveLoop viewers and segments per
         *     channel, process CPU/RSS/fds, GPU utilisation and memory when nvidia-smi answers (no GPU
         *     series otherwise). Labels never carry user or content ids. Readable by a signed-in user
         *     (session or API token) or with `Authorization: Bearer <[metrics] token>`; answered on
         *     any Host name (scrapers reach it by address). See docs/ops.md.
         */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/ops/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The dashboard's numbers (queue, jobs by state, disk, quota, GPUs, job round trips, a 24 h history) */
        get: operations["opsSummary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/wiki": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Facts for names, from the offline ZIM or Wikipedia ([wiki]); each name is the others' context
         * @description Looks each name up (exact title, other letter cases, redirects, near matches) and
         *     returns a compact card. A disambiguation page is never a fact: it is resolved by the
         *     other names asked together, or the entry comes back `ambiguous` with its candidates.
         *     Cached (a title is asked once per [wiki] cache_days). 503 when no source is configured.
         */
        get: operations["getWikiFacts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/content/{id}/entities": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        /** The item's entities (extractor's, minus removed, plus added) with where each is spoken and its fact */
        get: operations["listContentEntities"];
        put?: never;
        /** Adds an entity to the item (undoes an earlier removal of the same name) */
        post: operations["addContentEntity"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/content/{id}/entities/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                name: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Hides an entity of the item (whoever added it); letter case does not matter */
        delete: operations["removeContentEntity"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/content/{id}/facts": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        /** One entry per mention span, in time order (what the player's fact chips show) */
        get: operations["listContentFacts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/wiki/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description an entry's path in the ZIM (may contain /) */
                path: string;
            };
            cookie?: never;
        };
        /**
         * An entry of the configured ZIM; articles are re-serialised through an allowlist (no script, handlers, frames, forms)
         * @description HTML entries are sanitised and sent with a CSP that allows no script
         *     (`default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; ... sandbox`). Images
         *     and CSS are sent as stored; SVG with a sandbox CSP; other kinds are not served. A
         *     redirect entry answers 302 to /wiki/<target>. 404 when no ZIM is configured.
         */
        get: operations["getWikiEntry"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/games": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The Arcade's games, most recently changed first */
        get: operations["listGames"];
        put?: never;
        /**
         * Upload an HTML5 game (a zip checked entry by entry while it is extracted)
         * @description Refused with 400 (and nothing kept) for: not a zip (also a tar renamed .zip, a 0-byte
         *     file), paths that climb out ("..", absolute, drive letters, backslashes), links,
         *     encrypted entries, duplicate names after normalisation (case-insensitive), paths longer
         *     than 240 characters, no entry file; with 413 for more than [arcade] max_files files, a
         *     file or total over the limits, or a bundle expanding more than 100 times its size. A zip
         *     holding one top folder is served from that folder. See docs/arcade.md.
         */
        post: operations["uploadGame"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/games/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        /** One game */
        get: operations["getGame"];
        put?: never;
        post?: never;
        /** Delete the game, its files, cover and everyone's saves */
        delete: operations["deleteGame"];
        options?: never;
        head?: never;
        /** Change the title, description or whether the game needs threads */
        patch: operations["patchGame"];
        trace?: never;
    };
    "/api/v1/games/{id}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A new version of the game; the old one is served until the new one is checked
         * @description Same checks as an upload. The version just replaced keeps being served (players who loaded it go on); older ones are removed. Saves are kept.
         */
        post: operations["uploadGameVersion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/games/{id}/cover": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        /** The cover picture */
        get: operations["getGameCover"];
        /** Replace the cover (the request body is the picture) */
        put: operations["putGameCover"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/games/{id}/save": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        /** The caller's save for this game (what the SDK's load() answers) */
        get: operations["loadGameSave"];
        /** Store the caller's save for this game (the SDK's save(data)); survives game updates */
        put: operations["storeGameSave"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/play/{id}/{version}/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                version: number;
                /** @description a path inside the game (several segments) */
                file: string;
            };
            cookie?: never;
        };
        /**
         * A game file, on the games' own origin only ([arcade] listen), never on the studio's
         * @description Answered only on the game's own host name when the games' origin names each game
         *     (g{id}.localhost by default); the current version and the one before it. Headers: a
         *     strict Content-Security-Policy (own origin only, no connections elsewhere,
         *     frame-ancestors = the studio's origins), X-Content-Type-Options nosniff,
         *     Referrer-Policy no-referrer, Cross-Origin-Resource-Policy same-origin; COOP/COEP for
         *     games that need threads. No cookies are read or set.
         */
        get: operations["playGameFile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/beacon-game.js": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The host-game SDK script, on the games' origin (window.BeaconGame; see docs/arcade.md) */
        get: operations["gameSdk"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/workers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Remote workers (host, state, last heartbeat, current job) and registration tokens */
        get: operations["listWorkers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/workers/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A new registration token for `beacon worker --server URL --token T` (shown once) */
        post: operations["createWorkerToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/workers/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revokes a registration token and every worker registered with it (their next call gets 401) */
        delete: operations["revokeWorkerToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A worker registers with a registration token (X-Beacon-Token) and gets its own secret */
        post: operations["registerWorker"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/claim": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Claims the next job (worker secret): the whole job row and a job token for that job only */
        post: operations["claimRemoteJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/signoff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The worker stops (shown as stopped) */
        post: operations["signOffWorker"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        /** The claimed job's row (stages, params, cancel flag) */
        get: operations["getRemoteJob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/jobs/{id}/heartbeat": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A sign of life, optionally with progress ({status, progress}); renews the lease */
        post: operations["remoteHeartbeat"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/jobs/{id}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Appends a line to the job log */
        post: operations["remoteJobLog"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/jobs/{id}/stages": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Records a finished stage's outputs */
        post: operations["remoteRecordStage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/jobs/{id}/stages/forget": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Forgets recorded stages */
        post: operations["remoteForgetStages"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/jobs/{id}/urls": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sets preview_url, final_url, thumbnail_url or vtt_url */
        post: operations["remoteJobUrls"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/jobs/{id}/finish": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ends the job exactly once (completed, failed or canceled) */
        post: operations["remoteFinishJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/jobs/{id}/requeue": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Hands the job back (a retry later, or the worker stops) */
        post: operations["remoteRequeueJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/jobs/{id}/content": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The library row the job composes (created pending, or the one it already has) */
        post: operations["remoteBeginContent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/jobs/{id}/content/{content_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                content_id: number;
            };
            cookie?: never;
        };
        /** A library row this job composes or localizes */
        get: operations["remoteGetContent"];
        /** Replaces the row's columns */
        put: operations["remoteUpdateContent"];
        post?: never;
        /** Deletes the row (an import that failed) */
        delete: operations["remoteDeleteContent"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/jobs/{id}/content/{content_id}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                content_id: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Completes the row: listed and searchable, assets linked */
        post: operations["remoteCompleteContent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/jobs/{id}/assets": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        /** An asset already made with this hash (?hash=) */
        get: operations["remoteFindAsset"];
        put?: never;
        /** Records an asset made by the job */
        post: operations["remoteAddAsset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/remote/jobs/{id}/objects/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                /** @description a media key (several segments) */
                key: string;
            };
            cookie?: never;
        };
        /** Media bytes the job needs (Range supported; ?stat gives {size}) */
        get: operations["remoteGetObject"];
        /** Stores media the job made (only under its own jobs/{id}/ or library item's keys) */
        put: operations["remotePutObject"];
        post?: never;
        /** Deletes a key (or every key under it with ?prefix) */
        delete: operations["remoteDeleteObject"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/moderation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The review list: flagged items, oldest flag first (docs/ops.md, Moderation) */
        get: operations["listFlagged"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/content/{id}/review": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        /** The item's review state: unreviewed, flagged (with the reason) or approved */
        get: operations["getReview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/content/{id}/flag": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Flags the item with a reason; it leaves LiveLoop playout and public sharing (made private) until approved */
        post: operations["flagContent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/content/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Marks the item reviewed and fine (unflags it; publishing no longer asks for confirmation) */
        post: operations["approveContent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log of publish, share, flag, approve and delete, newest first */
        get: operations["auditLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A short-lived signed access token and a refresh token, for API clients
         * @description Made from a session (cookie + X-CSRF-Token) or an opaque API token, never from another signed token. `access_token` is a PASETO v4.public token (Ed25519, implicit assertion `beacon-access`, footer `{"kid"}`), sent as `Authorization: Bearer ...` wherever an API token works. `refresh_token` is single use (POST /api/v1/auth/refresh); presenting a spent one again revokes its whole family. The family ends with the session or API token it was made from (logout, token deletion, password change).
         */
        post: operations["createAccessToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Spends a refresh token for a new access token and a new refresh token */
        post: operations["refreshAccessToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revokes a refresh family, or every signed token of the account
         * @description `refresh_token` needs no other credentials (a client signing out); `family`, `all` and `others` (every family but those made from the calling session or API token, or the calling signed token's own: "sign out everywhere else") need the caller signed in. Takes effect on the next request in this process and within `[auth] revocation_sync_seconds` in other processes on the same database.
         */
        post: operations["revokeAccessTokens"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/families": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's live refresh families (signed-token sign-ins) */
        get: operations["listTokenFamilies"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The public keys that verify access tokens (never the secret ones) */
        get: operations["listAccessTokenKeys"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/keys/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A new signing key; tokens signed with the old one stay valid until they expire */
        post: operations["rotateAccessTokenKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/qoe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A web player's quality-of-experience batch (startup times, stalls, errors)
         * @description Sent by the studio's player every 30 s while there is something to report and on pagehide (navigator.sendBeacon, text/plain holding JSON, or application/json). Needs a signed-in user (session cookie, no CSRF header: the cookie is SameSite=Strict) or a bearer token. Counted into /metrics as beacon_player_startup_seconds, beacon_player_stalls_total, beacon_player_stall_seconds_total and beacon_player_errors_total{class}; no item or user is recorded. At most 4096 bytes and 30 reports a minute per user.
         */
        post: operations["reportPlayerQoe"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/ops/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The dashboard's history from the database (1-minute buckets for 24 h, hourly for 30 days)
         * @description Sampled while `beacon serve` runs and kept in the database (ops_history), so a restarted studio still shows the last day. A range of up to 24 h answers 1-minute buckets, longer ranges hourly ones. Levels (queue depth, disk) are the mean of a bucket's samples; jobs_completed is the number of jobs that completed in the bucket.
         */
        get: operations["opsHistory"];
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
        IssuedTokens: {
            /** @description PASETO v4.public; send as Authorization: Bearer */
            access_token: string;
            /** @enum {string} */
            token_type: "Bearer";
            /** @description seconds the access token is valid (default 900) */
            expires_in: number;
            /** @description single use; bcr_ + 43 characters */
            refresh_token: string;
            /** Format: date-time */
            refresh_expires_at: string;
            /** @description the refresh family (for POST /api/v1/auth/revoke) */
            family: string;
        };
        Review: {
            content_id: number;
            /** @enum {string} */
            state: "unreviewed" | "flagged" | "approved";
            /** @description why it was last flagged ("" if never) */
            reason: string;
            /** Format: date-time */
            flagged_at: string | null;
            /** Format: date-time */
            reviewed_at: string | null;
        };
        Game: {
            id: number;
            title: string;
            description: string;
            /** @description the page that starts the game, relative to its folder */
            entry: string;
            /** @description served cross-origin isolated; play in a tab of its own */
            threads: boolean;
            /** @description the version being served */
            version: number;
            files: number;
            /** @description extracted size */
            bytes: number;
            cover_url: string | null;
            /** @description the game's own origin, e.g. http://g7.localhost:8091 */
            origin: string;
            /** @description absolute URL of the entry page on the game's origin */
            play_url: string;
            /** @description unix seconds */
            created_at: number;
            updated_at: number;
        };
        WikiFact: {
            /** @description the name asked for */
            entity: string;
            title: string;
            /** @description plain text, at most 3 sentences / 525 bytes */
            summary: string;
            /** @description empty when the article has none */
            image_url: string;
            /** @description opens the article (/wiki/..., a kiwix-serve, or wikipedia.org) */
            source_url: string;
            /** @enum {string} */
            source: "kiwix" | "wikipedia";
            resolved: boolean;
            /** @description only a disambiguation page matched and context did not decide */
            ambiguous: boolean;
            candidates: {
                title: string;
                text: string;
            }[];
        };
        WikiEntity: {
            name: string;
            type: string;
            /** @enum {string} */
            added_by: "extractor" | "user";
            spans: {
                /** @description seconds */
                start: number;
                /** @description seconds */
                end: number;
            }[];
            fact: components["schemas"]["WikiFact"] | null;
        };
        Batch: {
            /** Format: int64 */
            id: number;
            /** Format: int64 */
            batch_id?: number;
            name: string;
            max_parallel: number;
            /** Format: date-time */
            created_at: string;
            /** @enum {string} */
            state: "queued" | "running" | "completed" | "failed" | "canceled";
            total: number;
            finished: number;
            progress: number;
            /** @description Job status -> jobs */
            counts: {
                [key: string]: number;
            };
            job_ids: number[];
            canceled?: number;
            retried?: number;
            jobs?: {
                /** Format: int64 */
                id?: number;
                prompt?: string;
                title?: string;
                status?: components["schemas"]["JobState"];
                progress?: number;
                /** Format: int64 */
                content_id?: number | null;
                error?: string | null;
            }[];
        };
        WorldSummary: {
            /** Format: int64 */
            id: number;
            title: string;
            /** @description the newest revision */
            revision: number;
            /**
             * Format: int64
             * @description Unix ms
             */
            created_at: number;
            /**
             * Format: int64
             * @description Unix ms
             */
            updated_at: number;
        };
        World: components["schemas"]["WorldSummary"] & {
            document: components["schemas"]["WorldDocument"];
            budget: components["schemas"]["WorldBudget"];
        };
        /** @description A world document as api/verse-world.schema.json describes it (checked and migrated by the server) */
        WorldDocument: {
            [key: string]: unknown;
        };
        /** @description What the world costs against the share budgets (a share link opens only a world within them) */
        WorldBudget: {
            nodes: number;
            triangles: components["schemas"]["WorldBudgetItem"];
            materials: components["schemas"]["WorldBudgetItem"];
            lights: components["schemas"]["WorldBudgetItem"];
            texture_bytes: components["schemas"]["WorldBudgetItem"];
            within_share_budget: boolean;
        };
        WorldBudgetItem: {
            used: number;
            limit: number;
            ok: boolean;
        };
        WorldAsset: {
            /** @description sha256 hex */
            hash: string;
            /** @description model or texture */
            kind: string;
            mime: string;
            size: number;
            name: string;
            /** Format: int64 */
            created_at: number;
            triangles?: number;
            materials?: number;
            width?: number;
            height?: number;
            texture_bytes: number;
        };
        WorldAssetStored: components["schemas"]["WorldAsset"] & {
            /** @enum {string} */
            stored: "new" | "existing";
            url: string;
        };
        PartyInvite: {
            id: string;
            invite_token: string;
            /** @description Unix ms */
            invite_expires_at: number;
            /** @description <origin>/party/<id>?invite=<token> */
            join_url: string;
            party?: components["schemas"]["Party"];
        };
        Party: {
            id: string;
            /** @enum {string} */
            kind: "item" | "channel";
            content_id: number;
            channel: string;
            title: string;
            duration: number;
            live: boolean;
            /** @description member id of the host (0: none, channel parties) */
            host: number;
            anyone_controls: boolean;
            member_count: number;
            max_members: number;
            created_at: number;
            state: components["schemas"]["PartyState"];
            media?: {
                hls: string;
                mp4?: string;
                poster?: string;
                chapters?: string;
                captions: {
                    lang: string;
                    url: string;
                }[];
                /** @description the item's caption languages */
                languages?: string[];
            };
            /** @enum {string} */
            you_are?: "user" | "guest";
        };
        /** @description The `state` socket message: at server time `at` (Unix ms) the position is `position` (seconds) */
        PartyState: {
            /** @enum {string} */
            type: "state";
            /** @enum {integer} */
            v: 1;
            seq: number;
            /** @enum {string} */
            state: "idle" | "waiting" | "paused" | "playing";
            playing: boolean;
            position: number;
            at: number;
            rate: number;
            audio: string;
            captions: string;
            live: boolean;
            by: string;
            reason: string;
            /** @description member ids not ready yet */
            waiting_for: number[];
            wait_deadline?: number;
            resume_playing?: boolean;
        };
        Error: {
            error: {
                /**
                 * @description invalid_argument, unauthorized, forbidden, not_found, method_not_allowed,
                 *     conflict, too_large, range_not_satisfiable, rate_limited, canceled, timeout,
                 *     unavailable, external_error, internal
                 */
                code: string;
                message: string;
                /** @description A body that breaks this contract's request schema (400): where, as a path into the body ("title", "items[3].prompt"); absent when the body as a whole is wrong. */
                field?: string;
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
            style?: string;
            voice?: string;
            /** @default en */
            language?: string;
            /** @default 7 */
            duration_target?: number;
            /**
             * @default 720p
             * @enum {string}
             */
            output_preset?: "480p" | "720p" | "1080p";
            /** @default true */
            produce_preview?: boolean;
            /**
             * Format: int64
             * @description A Verse world of the caller (GET /api/v1/worlds): the scenes' pictures are rendered from it on the server (headless Chromium, the editor's three.js code) at its newest revision when the job is queued, instead of the picture engine. Unknown or another user's world: 404. POST /api/v1/generate only (batch items and the CLI refuse it).
             */
            world_id?: number;
            /** @description With world_id: how the camera moves from scene to scene, starting at the world's saved camera: a preset (orbit, the default; static; dolly; rise) or a path whose points are spread over the scenes (linear in between). */
            world_camera?: ("orbit" | "static" | "dolly" | "rise") | {
                path: {
                    position: number[];
                    target: number[];
                    fov?: number;
                }[];
            };
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
            /**
             * Format: int64
             * @description The batch this job belongs to (POST /generate/batch)
             */
            batch_id?: number | null;
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
            /**
             * @description which job definition runs it
             * @enum {string}
             */
            kind?: "generate" | "localize" | "import";
            /** @description the kind's own request (not for generate) */
            params?: {
                [key: string]: unknown;
            };
        };
        JobDetail: components["schemas"]["Job"] & {
            /** @description The progress lines (info, warn, error) among the most recent 200 log lines, oldest first. Tool command lines (level cmd) are left out to keep the detail small: read every line, commands included, page by page from /api/v1/jobs/{id}/logs. */
            logs: components["schemas"]["LogLine"][];
            /** @description What the most recent 200 log lines hold. */
            log_summary: {
                /** @description Lines looked at (at most 200). */
                recent_lines: number;
                /** @description Command lines among them (only in /logs). */
                commands: number;
                warnings: number;
                errors: number;
                /**
                 * Format: int64
                 * @description Id of the newest line (0: none).
                 */
                last_id: number;
            };
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
            /** @description Per language, dub and captions present and the engines that made them (GET of one item, once a language was added) */
            language_tracks?: components["schemas"]["ItemLanguage"][];
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at?: string;
        };
        ItemLanguage: {
            language: string;
            name?: string;
            original: boolean;
            /** @description an audio rendition in this language */
            dub: boolean;
            captions: boolean;
            captions_url?: string | null;
            machine_translated?: boolean;
            /** @description Which engines made it (translation, voice) */
            engines?: {
                [key: string]: string;
            };
            /** Format: int64 */
            job_id?: number;
            /** @description The held cut, when a dubbed line did not fit its slot at 1.1x speech; its own timeline where the picture holds for long lines (docs/languages.md) */
            held?: {
                mp4_url?: string;
                /** @description the held cut's own HLS master */
                hls_url?: string;
                captions_url?: string;
                /** @description seconds */
                duration?: number;
                holds?: {
                    /** @description seconds on the item's own timeline */
                    at?: number;
                    seconds?: number;
                }[];
                /** @description lines still above 1.1x (0) */
                over_speed?: number;
            };
        };
        ItemLanguages: {
            /** Format: int64 */
            content_id: number;
            original: string;
            languages: components["schemas"]["ItemLanguage"][];
            /** @description Languages the configured translator reaches from the original */
            targets: {
                language: string;
                name: string;
            }[];
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
            /** @description [quotas] jobs_per_day is used up; Retry-After says when it resets (00:00 UTC) and the message names the quota */
            429: {
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
    generateBatch: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Each a prompt string or a generate body; its fields go on top of `defaults` */
                    items: (string | components["schemas"]["GenerateRequest"])[];
                    /** @description Generate fields every item starts from (no prompt) */
                    defaults?: {
                        [key: string]: unknown;
                    };
                    name?: string;
                    /** @description Jobs of this batch running at once; 0 = no cap */
                    max_parallel?: number;
                };
            };
        };
        responses: {
            /** @description Queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Batch"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["TooLarge"];
            /** @description An item names an unknown voice or a language the voice engine does not speak */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["RateLimited"];
        };
    };
    listBatches: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Batches */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Batch"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    getBatch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The batch (with `jobs`) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Batch"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description No such batch of the caller */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    cancelBatch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The batch after the cancel, with `canceled` (jobs reached) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Batch"];
                };
            };
            /** @description No such batch of the caller */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    retryBatch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The batch after the retry, with `retried` */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Batch"];
                };
            };
            /** @description No such batch of the caller */
            404: {
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
                /** @description Only items that have this language (their original one or one added by a dub or captions), e.g. es */
                language?: string;
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
                    /** @description true: go ahead with an item never reviewed (moderation; else 409 confirmation_required) */
                    confirm?: boolean;
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
            /** @description Moderation: the item is flagged (code flagged), or was never reviewed and `confirm` is not true (code confirmation_required) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    publishContent: {
        parameters: {
            query?: {
                /** @description true: as the body's confirm */
                confirm?: boolean;
            };
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description true: go ahead with an item never reviewed (moderation; else 409 confirmation_required) */
                    confirm?: boolean;
                };
            };
        };
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
            /** @description Moderation: the item is flagged (code flagged), or was never reviewed and not confirmed (code confirmation_required) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
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
    listContentLanguages: {
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
            /** @description Languages */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemLanguages"];
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    addContentLanguage: {
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
                    /** @description ISO 639-1 code */
                    language: string;
                    /** @description the dub voice's id (default: the engine's voice for the language) */
                    voice?: string;
                    /**
                     * @description translated captions without a dub
                     * @default false
                     */
                    captions_only?: boolean;
                };
            };
        };
        responses: {
            /** @description The localize job was queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: int64 */
                        job_id: number;
                        status: components["schemas"]["JobState"];
                        /** @enum {string} */
                        kind: "localize";
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            /** @description A language the translator cannot reach (the message names the supported targets), or an item without captions */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteContentLanguage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
                lang: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The item's languages after the removal */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemLanguages"];
                };
            };
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    importMedia: {
        parameters: {
            query?: {
                /** @description the file's name when the body is the raw bytes */
                filename?: string;
                /** @description the item's title (default: the file name) */
                title?: string;
                /** @description the spoken language */
                language?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** Format: binary */
                    file: string;
                    title?: string;
                };
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description The file is audio or video; the import job was queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: int64 */
                        job_id: number;
                        status: components["schemas"]["JobState"];
                        /** @enum {string} */
                        kind: "import";
                        duration?: number;
                        video?: boolean;
                        audio?: boolean;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            413: components["responses"]["TooLarge"];
            /** @description Not an audio or video file (ffprobe's reason in the message) */
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
                    /** @description true: go ahead with an item never reviewed (moderation; else 409 confirmation_required) */
                    confirm?: boolean;
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
                    /** @description true: go ahead with an item never reviewed (moderation; else 409 confirmation_required) */
                    confirm?: boolean;
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
    createParty: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    content_id: number;
                } | {
                    /** @description channel slug */
                    channel: string;
                };
            };
        };
        responses: {
            /** @description The party and its invite */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PartyInvite"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            /** @description The item has nothing playable yet, or too many parties run at once */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getParty: {
        parameters: {
            query?: {
                /** @description guests: the invite token */
                invite?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The party */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Party"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description The invite is for another party, forged or expired */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["NotFound"];
        };
    };
    endParty: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ended */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    createPartyInvite: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The invite */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PartyInvite"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    getPartyMedia: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                /** @description a path inside the party's library item folder, e.g. hls/master.m3u8 */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Part of the file */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            /** @description The invite is for another party, forged or expired */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["NotFound"];
        };
    };
    getPartyLive: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                /** @description <slug>/index.m3u8 and the playlists and segments it names (not stream.ts) */
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A playlist or segment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            /** @description The invite is for another party, forged or expired */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    partySocket: {
        parameters: {
            query?: {
                /** @description guests: the invite token */
                invite?: string;
                /** @description display name (1-40 characters; required for guests) */
                name?: string;
                /** @description reconnect: the member id from hello */
                member?: number;
                /** @description reconnect: the rejoin secret from hello */
                rejoin?: string;
                /** @description reconnect: replay broadcast messages after this seq */
                after?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching protocols */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            /** @description The invite is for another party, forged or expired */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["NotFound"];
            /** @description The party is full */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    listWorldTemplates: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description {items: [{id, title, description}]} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            title: string;
                            description: string;
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    listWorlds: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description {items: [{id, title, revision, created_at, updated_at}]} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["WorldSummary"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    createWorld: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    title?: string;
                    /** @enum {string} */
                    template?: "lighthouse-coast" | "neon-street" | "forest-clearing" | "space-station" | "empty-stage";
                };
            };
        };
        responses: {
            /** @description {id, title, revision, document, budget}; document follows api/verse-world.schema.json */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["World"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
        };
    };
    getWorld: {
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
            /** @description {id, title, revision, document, budget} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["World"];
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    saveWorld: {
        parameters: {
            query?: never;
            header: {
                /** @description the revision, e.g. "3" */
                "If-Match": string;
            };
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description {id, title, revision, budget} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorldSummary"] & {
                        budget: components["schemas"]["WorldBudget"];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            /** @description The document is over a hard limit (bytes, triangles, texture memory) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description If-Match is missing */
            428: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    deleteWorld: {
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
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["NotFound"];
        };
    };
    exportWorldGlb: {
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
            /** @description The GLB */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "model/gltf-binary": string;
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
    listWorldRevisions: {
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
            /** @description {revision, items: [{revision, created_at, size, nodes, note, current}]} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the newest */
                        revision: number;
                        items: {
                            revision: number;
                            /**
                             * Format: int64
                             * @description Unix ms
                             */
                            created_at: number;
                            /** @description bytes */
                            size: number;
                            nodes: number;
                            note: string;
                            current: boolean;
                        }[];
                    };
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    getWorldRevision: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
                revision: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description {id, title, revision, current_revision, document, budget} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["World"] & {
                        current_revision: number;
                    };
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    restoreWorldRevision: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
                revision: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description {id, title, revision, document, budget} */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["World"];
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    listWorldAssets: {
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
            /** @description {items: [{hash, kind, mime, size, name, triangles?, materials?, width?, height?, texture_bytes}]} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["WorldAsset"][];
                    };
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    uploadWorldAsset: {
        parameters: {
            query?: {
                name?: string;
            };
            header?: never;
            path: {
                id: components["parameters"]["Id"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description Already stored (stored: existing) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorldAssetStored"];
                };
            };
            /** @description Stored (stored: new) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorldAssetStored"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            /** @description Over a size, count or triangle limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getWorldAsset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
                hash: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The bytes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    shareWorld: {
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
            /** @description {id, token, path, url, budget} */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: int64 */
                        id: number;
                        token: string;
                        /** @description /verse/view/<token> */
                        path: string;
                        /** @description the path on this server's origin */
                        url: string;
                        budget: components["schemas"]["WorldBudget"];
                    };
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    listWorldShares: {
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
            /** @description {items: [{id, created_at, revoked, revoked_at}]} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: int64 */
                            id: number;
                            /** Format: int64 */
                            created_at: number;
                            revoked: boolean;
                            /**
                             * Format: int64
                             * @description 0 when not revoked
                             */
                            revoked_at: number;
                        }[];
                    };
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    revokeWorldShare: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["Id"];
                share: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["NotFound"];
        };
    };
    getSharedWorld: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                token: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description {id, title, revision, document, budget, read_only: true} (no created_at) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: int64 */
                        id: number;
                        title: string;
                        revision: number;
                        /** Format: int64 */
                        updated_at: number;
                        document: components["schemas"]["WorldDocument"];
                        budget: components["schemas"]["WorldBudget"];
                        /** @enum {boolean} */
                        read_only: true;
                    };
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    getSharedWorldAsset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                token: string;
                hash: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The bytes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The exposition text */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    opsSummary: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Summary */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * Format: int64
                         * @description unix ms
                         */
                        now: number;
                        /** @description state → count */
                        jobs: {
                            [key: string]: number;
                        };
                        queue: {
                            queued: number;
                            oldest_age_seconds: number;
                        };
                        disk: {
                            free_bytes: number;
                            size_bytes: number;
                            database_bytes: number;
                            media_bytes: number;
                            tmp_bytes: number;
                        };
                        quota: {
                            jobs_today: number;
                            /** @description null when unlimited */
                            jobs_per_day: number | null;
                        };
                        gpus: {
                            index: string;
                            name: string;
                            /** @description 0..1 */
                            utilization: number;
                            memory_used_bytes: number;
                            memory_size_bytes: number;
                        }[];
                        /** @description The last 50 completed jobs, oldest first */
                        job_rtts: {
                            /** Format: int64 */
                            job_id: number;
                            /** Format: int64 */
                            finished_at: number;
                            seconds: number;
                        }[];
                        /** @description At most 240 samples of the last 24 h (taken every 15 s while serving) */
                        history: {
                            /** Format: int64 */
                            t: number;
                            queued: number;
                            running: number;
                            data_bytes: number;
                            disk_free_bytes: number;
                            viewers: number;
                            gpu_utilization?: number;
                            gpu_memory_used_bytes?: number;
                            gpu_memory_size_bytes?: number;
                            /** @description The remote GPU hosts' labelled series of this sample (names as in /api/v1/ops/history), when any answered */
                            gpu_hosts?: {
                                [key: string]: number;
                            };
                        }[];
                        /** @description Every host of the ComfyUI and Ollama pools (issue 20) */
                        pools?: {
                            /** @description comfyui or ollama */
                            service: string;
                            host: string;
                            /** @description false while out of rotation */
                            up: boolean;
                            /**
                             * Format: int64
                             * @description pictures (ComfyUI) or calls (Ollama) finished
                             */
                            done: number;
                            /** @description over the last 5 minutes */
                            per_minute: number;
                            /** @description pictures or calls sent to the host and not finished */
                            queue_depth: number;
                            slots: number;
                            /** Format: int64 */
                            checkpoint_switches: number;
                            /** @description the checkpoint of its last prompt (empty for none) */
                            checkpoint: string;
                            /** @description pictures of this service waiting in Beacon for a host */
                            waiting: number;
                        }[];
                        /** @description The remote engine hosts asked for GPU figures every [metrics] gpu_poll_seconds (absent when no remote engine is in use): ComfyUI's /system_stats devices, Ollama's /api/ps models, as last asked. Neither reports utilisation. */
                        gpu_hosts?: {
                            /** @description comfyui or ollama */
                            service: string;
                            /** @description host:port */
                            host: string;
                            /**
                             * @description unknown until first asked
                             * @enum {string}
                             */
                            state: "up" | "down" | "unknown";
                            /** @description why the last ask failed (empty when up) */
                            error: string;
                            /**
                             * Format: int64
                             * @description unix ms of the last ask
                             */
                            at: number;
                            devices: {
                                /** @description cuda:0, ... */
                                device: string;
                                name: string;
                                total_bytes: number;
                                free_bytes: number;
                                used_bytes: number;
                            }[];
                            models: {
                                model: string;
                                bytes: number;
                                vram_bytes: number;
                                /** @description RFC 3339 */
                                expires_at: string;
                            }[];
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    getWikiFacts: {
        parameters: {
            query: {
                /** @description comma-separated names (at most 20, 200 bytes each) */
                entities: string;
                /** @description must be the configured [wiki] language */
                lang?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One fact per name, in order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["WikiFact"][];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            503: components["responses"]["Unavailable"];
        };
    };
    listContentEntities: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Entities; `source` is "none" when no fact source is configured (then every fact is null) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["WikiEntity"][];
                        source?: string | null;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    addContentEntity: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    type?: string;
                };
            };
        };
        responses: {
            /** @description The entity, with its spans and fact */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WikiEntity"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    removeContentEntity: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    listContentFacts: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Mentions with their facts (empty when no source is configured) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            entity: string;
                            type: string;
                            /** @description seconds */
                            start: number;
                            /** @description seconds */
                            end: number;
                            fact: components["schemas"]["WikiFact"];
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    getWikiEntry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description an entry's path in the ZIM (may contain /) */
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The entry */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    "image/png": string;
                };
            };
            /** @description Redirect entry */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    listGames: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The games */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Game"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    uploadGame: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description the game's .zip
                     */
                    file: string;
                    /** @description default: the file's name */
                    title?: string;
                    description?: string;
                    /**
                     * Format: binary
                     * @description PNG, JPEG, GIF or WebP, at most 5 MB
                     */
                    cover?: string;
                    /** @description the page that starts the game; default index.html */
                    entry?: string;
                    /**
                     * @description serve with COOP/COEP (SharedArrayBuffer); played in a tab of its own
                     * @enum {string}
                     */
                    threads?: "true" | "false";
                };
            };
        };
        responses: {
            /** @description The game (play_url is on the game's own origin) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Game"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["TooLarge"];
        };
    };
    getGame: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The game */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Game"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteGame: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    patchGame: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    title?: string;
                    description?: string;
                    threads?: boolean;
                };
            };
        };
        responses: {
            /** @description The game */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Game"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    uploadGameVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** Format: binary */
                    file: string;
                    /** @description default: the game's entry */
                    entry?: string;
                };
            };
        };
        responses: {
            /** @description The game at its new version */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Game"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
    getGameCover: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The picture (image/png, image/jpeg, image/gif or image/webp) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    putGameCover: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "image/*": string;
            };
        };
        responses: {
            /** @description The game */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Game"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
    loadGameSave: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The save, or null */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: string | null;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    storeGameSave: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    data: string;
                };
            };
        };
        responses: {
            /** @description Stored */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        bytes: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
    playGameFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                version: number;
                /** @description a path inside the game (several segments) */
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file (Range and ETag supported) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No such game, version or file on this origin (text/plain) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    gameSdk: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/javascript */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    listWorkers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The workers, the registration tokens, and after how long without a heartbeat a worker is silent */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        workers: {
                            /** Format: int64 */
                            id: number;
                            name: string;
                            host: string;
                            /** @description idle, busy, silent (no heartbeat within silent_after_seconds), stopped or revoked */
                            state: string;
                            /** Format: date-time */
                            last_heartbeat: string;
                            /**
                             * Format: int64
                             * @description Unix ms
                             */
                            last_heartbeat_ms: number;
                            /** Format: int64 */
                            current_job: number | null;
                            jobs_done: number;
                            /** Format: int64 */
                            registration_token_id: number;
                            /** Format: date-time */
                            registered_at: string;
                        }[];
                        tokens: {
                            /** Format: int64 */
                            id: number;
                            name: string;
                            /** Format: date-time */
                            created_at: string;
                            revoked: boolean;
                            /** @description workers registered with it */
                            workers: number;
                        }[];
                        silent_after_seconds: number;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    createWorkerToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    name: string;
                };
            };
        };
        responses: {
            /** @description The token, shown this once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: int64 */
                        id: number;
                        name: string;
                        /** Format: date-time */
                        created_at: string;
                        token: string;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    revokeWorkerToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    registerWorker: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    name?: string;
                    host?: string;
                };
            };
        };
        responses: {
            /** @description {worker_id, worker_token, lease_seconds} */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    claimRemoteJob: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description {job, job_token} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Nothing to do */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    signOffWorker: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    getRemoteJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
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
                    "application/json": Record<string, never>;
                };
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteHeartbeat: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    status?: string;
                    progress?: number;
                };
            };
        };
        responses: {
            /** @description {held} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteJobLog: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    stage?: string;
                    level?: string;
                    message?: string;
                };
            };
        };
        responses: {
            /** @description The line */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteRecordStage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    stage: string;
                    outputs?: unknown;
                };
            };
        };
        responses: {
            /** @description Recorded */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteForgetStages: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    stages?: string[];
                };
            };
        };
        responses: {
            /** @description Forgotten */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteJobUrls: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Set */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteFinishJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    status: string;
                    error?: Record<string, never>;
                    content_id?: number;
                };
            };
        };
        responses: {
            /** @description Recorded */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteRequeueJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    run_after?: number;
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description Queued again */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteBeginContent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description The row */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteGetContent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                content_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The row */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteUpdateContent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                content_id: number;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteDeleteContent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                content_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteCompleteContent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                content_id: number;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteFindAsset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description {asset} (null when none) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteAddAsset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description The asset */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteGetObject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                /** @description a media key (several segments) */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The bytes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A range */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remotePutObject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                /** @description a media key (several segments) */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Stored */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A key this job may not write */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remoteDeleteObject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                /** @description a media key (several segments) */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown job token, one for another job, or the worker's registration token was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The job is no longer this worker's (it went silent and the job was re-queued, or the job ended) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    listFlagged: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Flagged items */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: (components["schemas"]["Review"] & {
                            title: string;
                            poster: string;
                            published: boolean;
                            visibility: string;
                        })[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    getReview: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Review state */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Review"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    flagContent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Flagged */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Review"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    approveContent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Approved */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Review"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    auditLog: {
        parameters: {
            query?: {
                limit?: number;
                /** @description lines with ids below this (paging) */
                before?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Audit lines */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: number;
                            /** Format: date-time */
                            at: string;
                            user_id: number;
                            user: string;
                            /** @enum {string} */
                            action: "publish" | "share" | "flag" | "approve" | "delete";
                            content_id: number;
                            detail: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
        };
    };
    createAccessToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description a label shown in GET /api/v1/auth/families */
                    name?: string;
                };
            };
        };
        responses: {
            /** @description Issued */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IssuedTokens"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            /** @description The caller used a signed access token. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Signed tokens are not available on this server (PostgreSQL backend). */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    refreshAccessToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    refresh_token: string;
                };
            };
        };
        responses: {
            /** @description A new pair; the refresh token sent is spent. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IssuedTokens"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            /** @description The body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Signed tokens are not available on this server. */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    revokeAccessTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    refresh_token?: string;
                    family?: string;
                    all?: boolean;
                    others?: boolean;
                };
            };
        };
        responses: {
            /** @description Revoked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the families revoked, or "all" */
                        revoked: string[] | "all";
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            /** @description Signed tokens are not available on this server. */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listTokenFamilies: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Families */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            family: string;
                            name: string;
                            /** @enum {string} */
                            source: "session" | "api_token";
                            /** @description made from the caller's own session or API token, or the caller's signed token's family */
                            current: boolean;
                            /** Format: date-time */
                            created_at: string;
                            /**
                             * Format: date-time
                             * @description the last refresh (created_at until then)
                             */
                            last_used_at?: string;
                            /** @description the User-Agent that asked for it (empty when none) */
                            user_agent?: string;
                            /** Format: date-time */
                            expires_at: string;
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Signed tokens are not available on this server. */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listAccessTokenKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Keys */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        format?: "paseto.v4.public";
                        implicit_assertion?: string;
                        keys: {
                            kid: string;
                            /** @description Ed25519, unpadded base64url */
                            public_key: string;
                            current: boolean;
                        }[];
                    };
                };
            };
            /** @description Signed tokens are not available on this server. */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rotateAccessTokenKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The keys now verifying (as GET /api/v1/auth/keys) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keys: Record<string, never>[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Signed tokens are not available on this server. */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    reportPlayerQoe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {integer} */
                    v?: 1;
                    /** @description time to first frame of each playback started since the last batch */
                    startup_seconds?: number[];
                    stalls?: number;
                    stall_seconds?: number;
                    /** @description playback errors by class since the last batch */
                    errors?: {
                        network?: number;
                        decode?: number;
                        unsupported?: number;
                        aborted?: number;
                        other?: number;
                    };
                };
            };
        };
        responses: {
            /** @description Counted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["TooLarge"];
            429: components["responses"]["RateLimited"];
        };
    };
    opsHistory: {
        parameters: {
            query?: {
                /** @description Comma-separated names (all when absent): queue_depth, jobs_running, jobs_completed, data_bytes, disk_free_bytes, viewers, gpu_utilization, gpu_memory_used_bytes, gpu_memory_size_bytes, and the remote GPU hosts' gpu_device_memory_used_bytes, gpu_device_memory_size_bytes (one series per device, named `<name>|<service>|<host:port>|<device>`), ollama_vram_bytes, ollama_loaded_bytes (one per host, `<name>|<host:port>`): a base name stands for all its series, a full name for one */
                series?: string;
                range?: "1h" | "6h" | "24h" | "7d" | "30d";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Each asked series as [unix ms of the bucket start, value] pairs, oldest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        range: string;
                        /** Format: int64 */
                        from: number;
                        /** Format: int64 */
                        to: number;
                        /** @enum {integer} */
                        resolution_seconds: 60 | 3600;
                        series: {
                            [key: string]: number[][];
                        };
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            503: components["responses"]["Unavailable"];
        };
    };
}

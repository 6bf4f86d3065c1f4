/** Query keys: one place, so event handlers and screens agree. */
export const qk = {
  me: ["me"] as const,
  authStatus: ["auth-status"] as const,
  jobsAll: ["jobs"] as const,
  jobs: (p: object) => ["jobs", p] as const,
  job: (id: number) => ["job", id] as const,
  contentAll: ["content"] as const,
  content: (p: object) => ["content", p] as const,
  contentItem: (id: number) => ["content-item", id] as const,
  contentAssets: (id: number) => ["content-assets", id] as const,
  contentLanguages: (id: number) => ["content-languages", id] as const,
  /** One job followed by a panel (its row only, polled until it ends). */
  jobRow: (id: number) => ["language-job", id] as const,
  engines: ["engines"] as const,
  system: ["system"] as const,
  voices: ["voices"] as const,
  playlists: ["playlists"] as const,
  nowNext: (id: number) => ["now-next", id] as const,
  tokens: ["tokens"] as const,
  streamKey: ["stream-key"] as const,
};

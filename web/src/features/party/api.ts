import { api } from "../../api/client";

/** The party routes of the contract (the socket itself is opened by PartyClient). */
export const partyApi = {
  /** Starts a party on a library item or a LiveLoop channel; the answer carries its invite. */
  create: (target: { content_id: number } | { channel: string }) => api.ok(api.http.POST("/api/v1/parties", { body: target })),
  /** The party and the media URLs the caller can open (guests: with their invite). */
  get: (id: string, invite?: string) =>
    api.ok(api.http.GET("/api/v1/parties/{id}", { params: { path: { id }, query: invite ? { invite } : {} } })),
  /** Ends the party for everyone. */
  end: (id: string) => api.ok(api.http.DELETE("/api/v1/parties/{id}", { params: { path: { id } } })),
};

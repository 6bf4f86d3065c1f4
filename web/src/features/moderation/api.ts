import { api } from "../../api/client";

/** An item's review state (GET /api/v1/content/{id}/review). */
export type Review = {
  content_id: number;
  state: "unreviewed" | "flagged" | "approved";
  reason: string;
  flagged_at: string | null;
  reviewed_at: string | null;
};

/** One line of the review list (GET /api/v1/moderation). */
export type FlaggedItem = Review & { title: string; poster: string; published: boolean; visibility: string };

/** One audit line (GET /api/v1/audit). */
export type AuditLine = {
  id: number;
  at: string;
  user_id: number;
  user: string;
  action: "publish" | "share" | "flag" | "approve" | "delete";
  content_id: number;
  detail: string;
};

export const moderationKeys = {
  flagged: ["moderation", "flagged"] as const,
  audit: ["moderation", "audit"] as const,
  review: (id: number) => ["moderation", "review", id] as const,
};

export const moderationApi = {
  flagged: (): Promise<{ items: FlaggedItem[] }> => api.ok(api.http.GET("/api/v1/moderation")),
  review: (id: number): Promise<Review> => api.ok(api.http.GET("/api/v1/content/{id}/review", { params: { path: { id } } })),
  flag: (id: number, reason: string): Promise<Review> =>
    api.ok(api.http.POST("/api/v1/content/{id}/flag", { params: { path: { id } }, body: { reason } })),
  approve: (id: number): Promise<Review> => api.ok(api.http.POST("/api/v1/content/{id}/approve", { params: { path: { id } } })),
  remove: (id: number) => api.ok(api.http.DELETE("/api/v1/content/{id}", { params: { path: { id } } })),
  audit: (limit = 50): Promise<{ items: AuditLine[] }> => api.ok(api.http.GET("/api/v1/audit", { params: { query: { limit } } })),
};

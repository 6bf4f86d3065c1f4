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
  flagged: () => api.request<{ items: FlaggedItem[] }>("GET", "/moderation"),
  review: (id: number) => api.request<Review>("GET", `/content/${id}/review`),
  flag: (id: number, reason: string) => api.request<Review>("POST", `/content/${id}/flag`, { reason }),
  approve: (id: number) => api.request<Review>("POST", `/content/${id}/approve`),
  remove: (id: number) => api.request<unknown>("DELETE", `/content/${id}`),
  audit: (limit = 50) => api.request<{ items: AuditLine[] }>("GET", `/audit?limit=${limit}`),
};

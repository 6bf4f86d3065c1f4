import { describe, expect, it } from "vitest";
import { socketUrl } from "./socket";
import { fillPath } from "./upload";

describe("contract paths", () => {
  it("fills path parameters, each encoded, and refuses a missing one", () => {
    expect(fillPath("/api/v1/games/{id}/versions", { id: 7 })).toBe("/api/v1/games/7/versions");
    expect(fillPath("/api/v1/parties/{id}/ws", { id: "a b/c" })).toBe("/api/v1/parties/a%20b%2Fc/ws");
    expect(() => fillPath("/api/v1/games/{id}/versions", {})).toThrow(/\{id\}/);
  });

  it("builds the party socket's URL with only the query parameters that are set", () => {
    const url = socketUrl("/api/v1/parties/{id}/ws", { id: "p1" }, { invite: "pi.x y", name: "Ann", member: undefined, rejoin: "", after: 12 }, "ws://h");
    expect(url).toBe("ws://h/api/v1/parties/p1/ws?invite=pi.x+y&name=Ann&after=12");
    expect(socketUrl("/api/v1/parties/{id}/ws", { id: "p2" }, {}, "wss://s")).toBe("wss://s/api/v1/parties/p2/ws");
  });
});

import { describe, expect, it, vi } from "vitest";
import { humanMessage } from "../components/ui";
import { checkNewVersion, entryScript, isChunkError } from "./RouteBoundary";
import { readTheme } from "./theme";
import { routeTitle } from "./title";

describe("route errors", () => {
  it("recognises chunk load failures", () => {
    expect(isChunkError(new TypeError("Failed to fetch dynamically imported module: http://x/assets/SettingsPage-abc.js"))).toBe(true);
    expect(isChunkError(new Error("Cannot read properties of undefined"))).toBe(false);
  });
  it("finds the entry script of an index.html", () => {
    expect(entryScript('<script type="module" crossorigin src="/assets/index-AbC.js"></script>')).toBe("/assets/index-AbC.js");
    expect(entryScript("<p>no</p>")).toBeNull();
  });
  it("reports offline when the server does not answer, same when the build did not change", async () => {
    const down = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(await checkNewVersion(down as unknown as typeof fetch)).toBe("offline");
    const doc = new DOMParser().parseFromString('<html><head><script type="module" src="/assets/index-1.js"></script></head></html>', "text/html");
    const same = vi.fn(async () => new Response('<script type="module" crossorigin src="/assets/index-1.js"></script>'));
    expect(await checkNewVersion(same as unknown as typeof fetch, doc)).toBe("same");
  });
  it("reloads once onto a new build whose chunk names changed", async () => {
    const reload = vi.fn();
    vi.stubGlobal("location", { ...window.location, reload });
    sessionStorage.clear();
    const doc = new DOMParser().parseFromString('<html><head><script type="module" src="/assets/index-1.js"></script></head></html>', "text/html");
    const upgraded = vi.fn(async () => new Response('<script type="module" crossorigin src="/assets/index-2.js"></script>'));
    expect(await checkNewVersion(upgraded as unknown as typeof fetch, doc)).toBe("reloading");
    expect(reload).toHaveBeenCalledTimes(1);
    // The same new build failing again does not reload in a loop.
    expect(await checkNewVersion(upgraded as unknown as typeof fetch, doc)).toBe("same");
    expect(reload).toHaveBeenCalledTimes(1);
    vi.unstubAllGlobals();
  });
});

describe("titles, messages and theme", () => {
  it("names each route", () => {
    expect(routeTitle("/library/4")).toBe("Library");
    expect(routeTitle("/live")).toBe("LiveLoop");
    expect(routeTitle("/nope")).toBe("Not found");
  });
  it("turns API field names into words", () => {
    expect(humanMessage("field 'at' is in the past")).toBe("The time is in the past");
    expect(humanMessage("field 'content_id' is required")).toBe("The item is required");
    expect(humanMessage("something else")).toBe("something else");
  });
  it("follows the system until the user picks", () => {
    const none = { getItem: () => null };
    expect(readTheme(none, () => "light")).toBe("light");
    expect(readTheme(none, () => "dark")).toBe("dark");
    expect(readTheme({ getItem: () => "dark" }, () => "light")).toBe("dark");
  });
});

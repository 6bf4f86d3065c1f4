import { describe, expect, it } from "vitest";
import { jobVersion, sceneVersion, versioned } from "./fresh";
import { commandName, relativeCommand } from "./JobPanel";
import type { Job } from "../../api/types";

describe("logged commands", () => {
  const cmd = "/usr/bin/ffmpeg -y -i /tmp/beacon-e2e-x/data/tmp/job-5/scene1.png -i '/srv/beacon data/media/library/2/voice.wav' /tmp/beacon-e2e-x/data/media/library/2/final.mp4";
  it("names the program and makes data-folder paths relative", () => {
    expect(commandName(cmd)).toBe("ffmpeg");
    expect(relativeCommand("/usr/bin/ffmpeg -y -i /tmp/beacon-e2e-x/data/tmp/job-5/scene1.png /tmp/beacon-e2e-x/data/media/library/2/final.mp4"))
      .toBe("ffmpeg -y -i tmp/job-5/scene1.png media/library/2/final.mp4");
    expect(relativeCommand(cmd)).not.toContain("/tmp/beacon-e2e-x");
  });
});

describe("media versions", () => {
  const job = { id: 1, status: "completed", attempts: 1, updated_at: "2026-01-01T00:00:00Z" } as Job;
  it("change when a finished job finishes again, not on progress ticks", () => {
    const running1 = jobVersion({ ...job, status: "rendering_final", updated_at: "2026-01-01T00:00:01Z" } as Job);
    const running2 = jobVersion({ ...job, status: "rendering_final", updated_at: "2026-01-01T00:00:02Z" } as Job);
    expect(running1).toBe(running2);
    expect(jobVersion(job)).not.toBe(jobVersion({ ...job, updated_at: "2026-01-01T00:05:00Z" }));
  });
  it("change with a scene's text", () => {
    const a = sceneVersion(job, { n: 1, description: "A harbour", lines: ["One."] });
    expect(a).toBe(sceneVersion(job, { n: 1, description: "A harbour", lines: ["One."] }));
    expect(a).not.toBe(sceneVersion(job, { n: 1, description: "A stormy harbour", lines: ["One."] }));
  });
  it("append to URLs", () => {
    expect(versioned("/media/a.png", "x1")).toBe("/media/a.png?v=x1");
    expect(versioned("/media/a.png?t=1", "x1")).toBe("/media/a.png?t=1&v=x1");
    expect(versioned(undefined, "x1")).toBeUndefined();
  });
});

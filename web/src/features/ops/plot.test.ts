import { describe, expect, it } from "vitest";
import { scaleSeries } from "./plot";

const box = { width: 110, height: 60, pad: 5 };

describe("scaleSeries", () => {
  it("maps x across the box and y from 0 at the bottom to the maximum at the top", () => {
    const s = scaleSeries([{ name: "q", values: [{ x: 0, y: 0 }, { x: 5, y: 2 }, { x: 10, y: 4 }] }], box);
    expect(s.yMax).toBe(4);
    expect(s.lines[0]).toBe("5,55 55,30 105,5");
  });

  it("keeps a flat zero series at the bottom instead of dividing by zero", () => {
    const s = scaleSeries([{ name: "q", values: [{ x: 1, y: 0 }, { x: 2, y: 0 }] }], box);
    expect(s.lines[0]).toBe("5,55 105,55");
  });

  it("draws a single point as a visible flat line", () => {
    const s = scaleSeries([{ name: "q", values: [{ x: 7, y: 1 }] }], box, 2);
    expect(s.lines[0]).toBe("5,30 105,30");
  });

  it("shares one scale between series", () => {
    const s = scaleSeries([
      { name: "a", values: [{ x: 0, y: 1 }, { x: 1, y: 1 }] },
      { name: "b", values: [{ x: 0, y: 2 }, { x: 1, y: 2 }] },
    ], box);
    expect(s.lines).toEqual(["5,30 105,30", "5,5 105,5"]);
  });
});

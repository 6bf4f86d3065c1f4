import { describe, expect, it } from "vitest";
import { isClockTime, move } from "./reorder";

describe("move", () => {
  it("moves items and clamps targets", () => {
    expect(move([1, 2, 3, 4], 0, 2)).toEqual([2, 3, 1, 4]);
    expect(move([1, 2, 3, 4], 3, 0)).toEqual([4, 1, 2, 3]);
    expect(move([1, 2, 3], 1, 99)).toEqual([1, 3, 2]);
    expect(move([1, 2, 3], 1, -5)).toEqual([2, 1, 3]);
    expect(move([1, 2, 3], 7, 0)).toEqual([1, 2, 3]);
  });
  it("keeps duplicates (an item may be in a playlist twice)", () => {
    expect(move([5, 5, 6], 2, 0)).toEqual([6, 5, 5]);
  });
  it("checks clock times", () => {
    expect(isClockTime("20:00")).toBe(true);
    expect(isClockTime("24:00")).toBe(false);
    expect(isClockTime("7:00")).toBe(false);
  });
});

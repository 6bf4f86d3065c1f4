import * as THREE from "three";
import { describe, expect, it, vi } from "vitest";
import { EYE_HEIGHT, WalkControls } from "./walk";

function setup() {
  const camera = new THREE.PerspectiveCamera(60, 1, 0.1, 100);
  camera.position.set(0, 6, 10);
  camera.lookAt(0, 6, 0);  // facing -z
  const el = document.createElement("canvas");
  const onChange = vi.fn();
  const walk = new WalkControls(camera, el, onChange);
  return { camera, el, onChange, walk };
}

describe("walk mode", () => {
  it("stands the camera at eye height, facing where it looked", () => {
    const { camera, walk } = setup();
    expect(camera.position.y).toBeCloseTo(EYE_HEIGHT);
    const dir = new THREE.Vector3();
    camera.getWorldDirection(dir);
    expect(dir.z).toBeCloseTo(-1);
    walk.dispose();
  });

  it("W walks forward on the ground, S back, A and D sideways; nothing held, nothing moves", () => {
    const { camera, walk } = setup();
    expect(walk.step(0.1)).toBe(false);
    walk.press("w");
    expect(walk.step(0.1)).toBe(true);
    expect(camera.position.z).toBeCloseTo(10 - 0.3);
    expect(camera.position.x).toBeCloseTo(0);
    expect(camera.position.y).toBeCloseTo(EYE_HEIGHT);
    walk.release("w");
    walk.press("ArrowRight");
    walk.step(0.1);
    expect(camera.position.x).toBeCloseTo(0.3);
    walk.release("ArrowRight");
    walk.press("s");
    walk.step(0.1, true);  // Shift runs
    expect(camera.position.z).toBeCloseTo(10 - 0.3 + 0.75);
    walk.dispose();
  });

  it("dragging turns: after a quarter turn left, forward is -x; looking up is bounded", () => {
    const { camera, walk, onChange } = setup();
    walk.look(-(Math.PI / 2) / 0.004, 0);
    expect(onChange).toHaveBeenCalled();
    walk.press("w");
    walk.step(0.1);
    expect(camera.position.x).toBeCloseTo(-0.3);
    expect(camera.position.z).toBeCloseTo(10);
    walk.look(0, -100000);
    expect(walk.pitch).toBeLessThan(Math.PI / 2);
    walk.dispose();
  });

  it("keys reach it from the window until it is disposed", () => {
    const { camera, walk } = setup();
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "w" }));
    walk.step(0.1);
    expect(camera.position.z).toBeLessThan(10);
    window.dispatchEvent(new KeyboardEvent("keyup", { key: "w" }));
    walk.dispose();
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "w" }));
    const z = camera.position.z;
    walk.step(0.1);
    expect(camera.position.z).toBe(z);
  });
});

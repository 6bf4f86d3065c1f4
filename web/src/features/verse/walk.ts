import * as THREE from "three";

/**
 * Walk mode for the share viewer: first-person movement at eye height. W/A/S/D or the arrow keys
 * move on the ground plane in the direction the camera faces (Shift runs), dragging with the
 * mouse (or one finger) turns and looks up or down. No pointer lock (a shared page should not
 * capture the pointer), and nothing of the document runs: it only moves the camera.
 */
export const EYE_HEIGHT = 1.6;
const WALK_SPEED = 3;   // metres per second
const RUN_FACTOR = 2.5;
const LOOK_PER_PIXEL = 0.004;
const MAX_PITCH = Math.PI / 2 - 0.05;

const FORWARD = new Set(["w", "arrowup"]);
const BACK = new Set(["s", "arrowdown"]);
const LEFT = new Set(["a", "arrowleft"]);
const RIGHT = new Set(["d", "arrowright"]);

export class WalkControls {
  yaw: number;
  pitch: number;
  private readonly keys = new Set<string>();
  private drag: { x: number; y: number } | null = null;
  private last = 0;
  private frame = 0;

  constructor(
    private readonly camera: THREE.PerspectiveCamera,
    private readonly element: HTMLElement,
    private readonly onChange: () => void,
    ground = 0,
  ) {
    // Start where the camera is, on its feet, facing where it looked.
    const dir = new THREE.Vector3();
    camera.getWorldDirection(dir);
    this.yaw = Math.atan2(-dir.x, -dir.z);
    this.pitch = 0;
    camera.position.y = ground + EYE_HEIGHT;
    this.apply();
    element.addEventListener("pointerdown", this.down);
    window.addEventListener("pointermove", this.move);
    window.addEventListener("pointerup", this.up);
    window.addEventListener("keydown", this.keydown);
    window.addEventListener("keyup", this.keyup);
    window.addEventListener("blur", this.blur);
    this.frame = requestAnimationFrame(this.tick);
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.element.removeEventListener("pointerdown", this.down);
    window.removeEventListener("pointermove", this.move);
    window.removeEventListener("pointerup", this.up);
    window.removeEventListener("keydown", this.keydown);
    window.removeEventListener("keyup", this.keyup);
    window.removeEventListener("blur", this.blur);
  }

  /** Moves for `seconds` with the keys held now; true when the camera moved. */
  step(seconds: number, run = false): boolean {
    const f = (this.held(FORWARD) ? 1 : 0) - (this.held(BACK) ? 1 : 0);
    const s = (this.held(RIGHT) ? 1 : 0) - (this.held(LEFT) ? 1 : 0);
    if (!f && !s) return false;
    const len = Math.hypot(f, s);
    const d = (WALK_SPEED * (run ? RUN_FACTOR : 1) * Math.min(seconds, 0.1)) / len;
    // Forward is -z turned by yaw; right is +x turned by yaw (on the ground plane).
    const sin = Math.sin(this.yaw);
    const cos = Math.cos(this.yaw);
    this.camera.position.x += (-sin * f + cos * s) * d;
    this.camera.position.z += (-cos * f - sin * s) * d;
    return true;
  }

  /** Turns by a drag of (dx, dy) pixels. */
  look(dx: number, dy: number): void {
    this.yaw -= dx * LOOK_PER_PIXEL;
    this.pitch = Math.max(-MAX_PITCH, Math.min(MAX_PITCH, this.pitch - dy * LOOK_PER_PIXEL));
    this.apply();
  }

  press(key: string): void {
    this.keys.add(key.toLowerCase());
  }

  release(key: string): void {
    this.keys.delete(key.toLowerCase());
  }

  private held(set: Set<string>): boolean {
    for (const k of set) if (this.keys.has(k)) return true;
    return false;
  }

  private apply(): void {
    this.camera.rotation.set(this.pitch, this.yaw, 0, "YXZ");
    this.onChange();
  }

  private readonly tick = (t: number) => {
    const dt = this.last ? (t - this.last) / 1000 : 0;
    this.last = t;
    if (this.step(dt, this.keys.has("shift"))) this.onChange();
    this.frame = requestAnimationFrame(this.tick);
  };

  private readonly down = (e: PointerEvent) => {
    this.drag = { x: e.clientX, y: e.clientY };
  };

  private readonly move = (e: PointerEvent) => {
    if (!this.drag) return;
    this.look(e.clientX - this.drag.x, e.clientY - this.drag.y);
    this.drag = { x: e.clientX, y: e.clientY };
  };

  private readonly up = () => {
    this.drag = null;
  };

  private readonly keydown = (e: KeyboardEvent) => {
    const k = e.key.toLowerCase();
    if (FORWARD.has(k) || BACK.has(k) || LEFT.has(k) || RIGHT.has(k)) e.preventDefault();
    this.press(k);
  };

  private readonly keyup = (e: KeyboardEvent) => this.release(e.key);

  private readonly blur = () => this.keys.clear();
}

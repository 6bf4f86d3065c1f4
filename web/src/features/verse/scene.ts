/**
 * The three.js view of a world document. Built once from the document, then updated per
 * operation for the touched nodes only. Documents are data: nothing here evaluates text from a
 * document (no scripts, no `new Function`); names never reach the DOM from here.
 */
import * as THREE from "three";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import { KTX2Loader } from "three/examples/jsm/loaders/KTX2Loader.js";
import type { Environment, Material, Op, WorldDoc, WorldNode } from "./doc";

export type AssetUrl = (hash: string) => string;

const KTX2_MAGIC = [0xab, 0x4b, 0x54, 0x58, 0x20, 0x32, 0x30, 0xbb, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether bytes are a KTX 2.0 container (its 12-byte identifier). */
export function isKtx2(bytes: ArrayBuffer): boolean {
  const b = new Uint8Array(bytes, 0, Math.min(12, bytes.byteLength));
  return b.length === 12 && KTX2_MAGIC.every((v, i) => b[i] === v);
}

const geometryCache = new Map<string, THREE.BufferGeometry>();
function geometry(type: string, segments = 32): THREE.BufferGeometry {
  const key = `${type}:${segments}`;
  let g = geometryCache.get(key);
  if (g) return g;
  switch (type) {
    case "box": g = new THREE.BoxGeometry(1, 1, 1); break;
    case "sphere": g = new THREE.SphereGeometry(0.5, segments, Math.max(2, Math.floor(segments / 2))); break;
    case "cylinder": g = new THREE.CylinderGeometry(0.5, 0.5, 1, segments); break;
    case "cone": g = new THREE.ConeGeometry(0.5, 1, segments); break;
    case "plane": g = new THREE.PlaneGeometry(1, 1); break;
    case "torus": g = new THREE.TorusGeometry(0.5, 0.12, Math.max(3, Math.floor(segments / 3)), segments); break;
    default: g = new THREE.BoxGeometry(1, 1, 1);
  }
  geometryCache.set(key, g);
  return g;
}

function skyTexture(top: string, bottom: string): THREE.Texture {
  const c = document.createElement("canvas");
  c.width = 2;
  c.height = 256;
  const ctx = c.getContext("2d")!;
  const grad = ctx.createLinearGradient(0, 0, 0, 256);
  grad.addColorStop(0, top);
  grad.addColorStop(1, bottom);
  ctx.fillStyle = grad;
  ctx.fillRect(0, 0, 2, 256);
  const t = new THREE.CanvasTexture(c);
  t.colorSpace = THREE.SRGBColorSpace;
  return t;
}

export class WorldView {
  readonly scene = new THREE.Scene();
  readonly camera: THREE.PerspectiveCamera;
  readonly renderer: THREE.WebGLRenderer;
  private objects = new Map<string, THREE.Object3D>();
  private materials = new Map<string, THREE.MeshStandardMaterial>();
  private ambient = new THREE.AmbientLight(0xffffff, 0.4);
  private textures = new Map<string, THREE.Texture>();
  private loader = new GLTFLoader();
  /**
   * KTX2 (Basis Universal) textures and models using KHR_texture_basisu. The Basis transcoder
   * (wasm) is the copy from three's examples/jsm/libs/basis that the build bundles next to this
   * chunk (KTX2Loader's default path is relative to its module), never a CDN; it is fetched only
   * when a supercompressed texture is first decoded.
   */
  private ktx2: KTX2Loader;
  private dirty = true;
  private frame = 0;
  private pending = 0;
  private settled: (() => void)[] = [];
  /** Called after each rendered frame. */
  onFrame: (() => void) | null = null;

  constructor(private readonly canvas: HTMLCanvasElement, private doc: WorldDoc, private readonly assetUrl: AssetUrl) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.camera = new THREE.PerspectiveCamera(doc.camera.fov, 1, 0.1, 5000);
    this.camera.position.fromArray(doc.camera.position);
    this.camera.lookAt(new THREE.Vector3().fromArray(doc.camera.target));
    this.scene.add(this.ambient);
    this.ktx2 = new KTX2Loader().detectSupport(this.renderer);
    this.loader.setKTX2Loader(this.ktx2);
    this.rebuild(doc);
    const loop = () => {
      this.frame = requestAnimationFrame(loop);
      this.resize();
      if (this.dirty) {
        this.dirty = false;
        this.renderer.render(this.scene, this.camera);
        this.onFrame?.();
      }
    };
    // First frame on the next animation frame, after the caller has set onFrame.
    this.frame = requestAnimationFrame(loop);
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.renderer.dispose();
    this.ktx2.dispose();
    this.textures.forEach((t) => t.dispose());
    this.materials.forEach((m) => m.dispose());
  }

  invalidate(): void {
    this.dirty = true;
  }

  private resize(): void {
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    if (w === 0 || h === 0) return;
    const size = this.renderer.getSize(new THREE.Vector2());
    if (size.x !== w || size.y !== h) {
      this.renderer.setSize(w, h, false);
      this.camera.aspect = w / h;
      this.camera.updateProjectionMatrix();
      this.dirty = true;
    }
  }

  /** Replaces the whole view (a document loaded or restored). */
  rebuild(doc: WorldDoc): void {
    this.doc = doc;
    for (const o of this.objects.values()) o.removeFromParent();
    this.objects.clear();
    this.materials.forEach((m) => m.dispose());
    this.materials.clear();
    this.applyEnvironment(doc.environment);
    for (const id of Object.keys(doc.materials)) this.updateMaterial(id, doc.materials[id]);
    for (const n of doc.nodes) this.objects.set(n.id, this.makeObject(n));
    for (const n of doc.nodes) this.attach(n);
    this.dirty = true;
  }

  /** Updates the view for one applied operation. */
  apply(op: Op): void {
    switch (op.kind) {
      case "addNode": {
        const node = this.doc.nodes.find((n) => n.id === op.node.id);
        if (!node) break;
        this.objects.set(node.id, this.makeObject(node));
        this.attach(node);
        // Children added earlier (undo of a group removal) find their parent now.
        for (const n of this.doc.nodes) if (n.parent === node.id) this.attach(n);
        break;
      }
      case "removeNode": {
        for (const [id, o] of this.objects) {
          if (!this.doc.nodes.some((n) => n.id === id)) {
            o.removeFromParent();
            this.objects.delete(id);
          }
        }
        break;
      }
      case "setNode": {
        const node = this.doc.nodes.find((n) => n.id === op.id);
        if (!node) break;
        const structural = ["type", "segments", "light", "asset", "material"].some((k) => k in op.patch);
        if (structural) {
          this.objects.get(node.id)?.removeFromParent();
          this.objects.set(node.id, this.makeObject(node));
          this.attach(node);
          for (const n of this.doc.nodes) if (n.parent === node.id) this.attach(n);
        } else {
          const o = this.objects.get(node.id);
          if (o) this.placeObject(o, node);
          if ("parent" in op.patch) this.attach(node);
        }
        break;
      }
      case "setMaterial":
        this.updateMaterial(op.id, this.doc.materials[op.id] ?? null);
        break;
      case "setEnvironment":
        this.applyEnvironment(this.doc.environment);
        break;
      case "batch":
        op.ops.forEach((o) => this.apply(o));
        break;
      default:
        break;
    }
    this.dirty = true;
  }

  objectOf(id: string): THREE.Object3D | undefined {
    return this.objects.get(id);
  }

  /** The node id under a canvas point, or null. */
  pick(clientX: number, clientY: number): string | null {
    const rect = this.canvas.getBoundingClientRect();
    const p = new THREE.Vector2(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
    const ray = new THREE.Raycaster();
    ray.setFromCamera(p, this.camera);
    const hits = ray.intersectObjects([...this.objects.values()], true);
    for (const h of hits) {
      let o: THREE.Object3D | null = h.object;
      while (o && o.userData.nodeId === undefined) o = o.parent;
      if (o) return o.userData.nodeId as string;
    }
    return null;
  }

  private applyEnvironment(env: Environment): void {
    const old = this.scene.background;
    if (old instanceof THREE.Texture) old.dispose();
    this.scene.background = skyTexture(env.sky.top, env.sky.bottom);
    this.scene.fog = env.fog ? new THREE.Fog(env.fog.color, env.fog.near, env.fog.far) : null;
    this.ambient.color.set(env.ambient.color);
    this.ambient.intensity = env.ambient.intensity;
  }

  private updateMaterial(id: string, m: Material | null): void {
    if (!m) {
      this.materials.get(id)?.dispose();
      this.materials.delete(id);
      return;
    }
    let mat = this.materials.get(id);
    if (!mat) {
      mat = new THREE.MeshStandardMaterial();
      this.materials.set(id, mat);
    }
    mat.color.set(m.color);
    mat.roughness = m.roughness ?? 0.8;
    mat.metalness = m.metalness ?? 0;
    mat.emissive.set(m.emissive ?? "#000000");
    mat.emissiveIntensity = m.emissiveIntensity ?? 0;
    mat.opacity = m.opacity ?? 1;
    mat.transparent = mat.opacity < 1;
    mat.map = m.map ? this.texture(m.map) : null;
    mat.needsUpdate = true;
    // Meshes made before the material existed pick it up now.
    for (const n of this.doc.nodes) {
      if (n.material !== id) continue;
      const o = this.objects.get(n.id);
      if (o instanceof THREE.Mesh) o.material = mat;
    }
  }

  /**
   * A texture asset by hash. The bytes decide how it is decoded: KTX2 through KTX2Loader (its
   * GPU texture replaces the placeholder when ready), PNG/JPEG as an image. Until then (and if
   * decoding fails) the material shows a placeholder without an image.
   */
  private texture(hash: string): THREE.Texture {
    let t = this.textures.get(hash);
    if (!t) {
      const placeholder = new THREE.Texture();
      placeholder.colorSpace = THREE.SRGBColorSpace;
      t = placeholder;
      this.textures.set(hash, t);
      this.loadStarted();
      void this.loadTexture(hash).then((loaded) => {
        if (this.textures.get(hash) !== placeholder) return;
        this.textures.set(hash, loaded);
        for (const m of this.materials.values()) {
          if (m.map === placeholder) {
            m.map = loaded;
            m.needsUpdate = true;
          }
        }
        placeholder.dispose();
        this.invalidate();
      }).catch((e: unknown) => {
        console.warn(`verse: texture ${hash} could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
      }).finally(() => this.loadSettled());
    }
    return t;
  }

  private async loadTexture(hash: string): Promise<THREE.Texture> {
    const response = await fetch(this.assetUrl(hash), { credentials: "same-origin" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const bytes = await response.arrayBuffer();
    if (isKtx2(bytes)) {
      const t = await new Promise<THREE.CompressedTexture>((resolve, reject) => {
        this.ktx2.parse(bytes, resolve, reject);
      });
      // GPU textures are not flipped on upload like images: KTX2's first row is the top (its
      // default orientation), three's primitives put v = 0 at the bottom; flip through the UVs.
      t.repeat.set(1, -1);
      t.offset.set(0, 1);
      this.ktx2Textures += 1;
      return t;
    }
    const url = URL.createObjectURL(new Blob([bytes]));
    try {
      const t = await new THREE.TextureLoader().loadAsync(url);
      t.colorSpace = THREE.SRGBColorSpace;
      return t;
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  /** How many KTX2 textures were decoded (for tests and diagnostics). */
  ktx2Textures = 0;

  /** Loads the Basis Universal transcoder now (it is otherwise fetched on first use). */
  loadTranscoder(): Promise<void> {
    return this.ktx2.init();
  }

  private makeObject(n: WorldNode): THREE.Object3D {
    let o: THREE.Object3D;
    if (n.type === "group") {
      o = new THREE.Group();
    } else if (n.type === "light" && n.light) {
      const l = n.light;
      switch (l.kind) {
        case "directional": {
          const d = new THREE.DirectionalLight(l.color, l.intensity);
          o = d;
          break;
        }
        case "point": o = new THREE.PointLight(l.color, l.intensity, l.distance ?? 0); break;
        case "spot": o = new THREE.SpotLight(l.color, l.intensity, l.distance ?? 0, l.angle ?? 0.5); break;
        default: o = new THREE.HemisphereLight(l.color, l.groundColor ?? "#444422", l.intensity);
      }
    } else if (n.type === "model" && n.asset) {
      const g = new THREE.Group();
      this.loadStarted();
      this.loader.load(this.assetUrl(n.asset), (gltf) => {
        g.add(gltf.scene);
        this.invalidate();
        this.loadSettled();
      }, undefined, () => {
        // A model that fails to load is left out (named in the console), never fatal.
        console.warn(`verse: model ${n.asset} of node ${n.id} could not be loaded`);
        this.loadSettled();
      });
      o = g;
    } else {
      let mat = n.material ? this.materials.get(n.material) : undefined;
      if (!mat) {
        mat = new THREE.MeshStandardMaterial({ color: 0x888888 });
      }
      const mesh = new THREE.Mesh(geometry(n.type, n.segments ?? 32), mat);
      o = mesh;
    }
    o.userData.nodeId = n.id;
    this.placeObject(o, n);
    return o;
  }

  private placeObject(o: THREE.Object3D, n: WorldNode): void {
    o.position.fromArray(n.position);
    o.rotation.set(n.rotation[0], n.rotation[1], n.rotation[2]);
    if (!(o instanceof THREE.Light)) o.scale.fromArray(n.scale);
    o.visible = n.visible !== false;
    o.name = n.name;
    this.dirty = true;
  }

  private attach(n: WorldNode): void {
    const o = this.objects.get(n.id);
    if (!o) return;
    const parent = n.parent ? this.objects.get(n.parent) : this.scene;
    (parent ?? this.scene).add(o);
  }

  /** Resolves when every model and texture load started so far has finished or failed. */
  ready(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.settled.push(resolve));
  }

  private loadStarted(): void {
    this.pending += 1;
  }

  private loadSettled(): void {
    this.pending -= 1;
    if (this.pending > 0) return;
    const waiting = this.settled;
    this.settled = [];
    waiting.forEach((r) => r());
  }

  /** Points the camera (position, target, field of view) as a world document's camera does. */
  aim(position: [number, number, number], target: [number, number, number], fov: number): void {
    this.camera.position.fromArray(position);
    this.camera.fov = fov;
    this.camera.lookAt(new THREE.Vector3().fromArray(target));
    this.camera.updateProjectionMatrix();
    this.dirty = true;
  }

  /** A still of the current view as a PNG data URL (for a video scene's picture). */
  still(width = 1280, height = 720): string {
    const size = this.renderer.getSize(new THREE.Vector2());
    const aspect = this.camera.aspect;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.renderer.render(this.scene, this.camera);
    const url = this.renderer.domElement.toDataURL("image/png");
    this.renderer.setSize(size.x, size.y, false);
    this.camera.aspect = aspect;
    this.camera.updateProjectionMatrix();
    this.dirty = true;
    return url;
  }
}

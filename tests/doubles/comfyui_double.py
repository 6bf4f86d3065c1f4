#!/usr/bin/env python3
"""ComfyUI stand-in (api-notes/model-services.md 2b).

POST /prompt validates the API-format graph (unknown class → missing_node_type; bad ckpt_name →
value_not_in_list under node_errors; no output node → prompt_no_outputs), queues it and runs it
on a worker thread that sends the per-prompt WebSocket events (status, execution_start,
execution_cached, executing, progress, executed, execution_success | execution_error,
executing{node:null}) only to the socket whose clientId matches. /history/{id} stays {} until
the prompt is done; /view serves real PNG bytes of the latent's size; /interrupt interrupts.
Like the server, prompts run one at a time from a queue (GET /queue, POST /queue {"delete"}),
sampling sends binary preview frames and progress_state, an identical resubmission is served
from the node cache (execution_cached lists every node), and GET /history lists all entries.

Batches and checkpoints (issue 20): EmptyLatentImage's batch_size N makes N images (one
SaveImage entry each, numbered like the server's counter), sampling a batch takes
step_delay x (1 + (N-1) x batch_cost) per step; BatchPromptSchedule (FizzNodes' node, the
one way to give each latent of a batch its own prompt: `"0": "text", "1": "text"` keyframes)
is understood. Loading a checkpoint other than the one loaded counts a switch (the first load
too) and takes --switch-delay. GET /__double/stats: switches, loads in order, prompts, images,
batch sizes and the prompt text of every image file.

Holding (issue 20, the final encode overlapping the pictures): with --hold-from N, every prompt
after the N-th waits before sampling (the GPU is busy with it) until POST /__double/release;
/__double/stats lists the prompt texts held now under "held".

GPU figures (issue 19): GET /system_stats lists --devices torch devices whose vram_free drops
while a checkpoint is loaded and further while a prompt runs; POST /free unloads;
--stats-fail answers it with an error status.
"""
import json
import struct
import threading
import time
import uuid
from urllib.parse import urlparse, parse_qs

import common

KNOWN = {"CheckpointLoaderSimple", "EmptyLatentImage", "CLIPTextEncode", "KSampler", "VAEDecode",
         "SaveImage", "PreviewImage", "LoadImage", "BatchPromptSchedule"}
OUTPUT_NODES = {"SaveImage", "PreviewImage"}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.sockets = {}      # client_id -> (wfile, lock, connection)
        self.history = {}      # prompt_id -> entry
        self.files = {}        # (subfolder, filename) -> bytes
        self.interrupted = set()
        self.number = 0
        self.prompts = []
        # The real server runs one prompt at a time from a queue (PromptQueue + one worker).
        self.pending = []      # [number, prompt_id, graph, extra_data, outputs] waiting
        self.running = None    # the entry being executed
        self.wake = threading.Condition(self.lock)
        self.worker = None
        self.done_graphs = {}  # json of an executed graph -> its outputs (the node cache)
        self.loaded = None     # the checkpoint in (simulated) VRAM
        self.loads = []        # every checkpoint load, in order (a switch each)
        self.batch_sizes = []  # latent batch size of every sampled prompt
        self.image_texts = {}  # image file name -> the prompt text its latent was sampled with
        self.image_counter = 0
        self.held = []         # prompt texts waiting for /__double/release
        self.released = threading.Event()


def worker_loop(server):
    st = server.state
    while True:
        with st.wake:
            while not st.pending:
                st.wake.wait()
            item = st.pending.pop(0)
            st.running = item
        number, prompt_id, graph, extra, _ = item
        try:
            run_prompt(server, prompt_id, extra.get("client_id", ""), graph, number)
        finally:
            with st.lock:
                st.running = None
                st.interrupted.discard(prompt_id)


def preview_frame(width, height, seed):
    """A binary /ws frame as the server sends while sampling: type 1 (PREVIEW_IMAGE), format 2 (PNG)."""
    return struct.pack(">II", 1, 2) + common.png_bytes(min(width, 32), min(height, 32), seed % 256)


def send_ws(st, client_id, msg, opcode=0x1):
    with st.lock:
        sock = st.sockets.get(client_id)
    if not sock:
        return
    wfile, lock, _ = sock
    try:
        with lock:
            common.ws_send(wfile, msg, opcode)
    except (OSError, ValueError):
        # The client went away (a closed socket's file raises ValueError): like the real server,
        # the prompt runs on and its result stays in /history.
        pass


def drop_ws(st, client_id):
    """Closes the client's socket without a close frame (a dropped connection)."""
    import socket
    with st.lock:
        sock = st.sockets.pop(client_id, None)
    if sock:
        try:
            sock[2].shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def run_prompt(server, prompt_id, client_id, graph, number):
    a, st = server.args, server.state
    now = lambda: int(time.time() * 1000)
    send_ws(st, client_id, {"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 1}}}})
    send_ws(st, client_id, {"type": "execution_start", "data": {"prompt_id": prompt_id, "timestamp": now()}})
    key = json.dumps(graph, sort_keys=True)
    with st.lock:
        cached = st.done_graphs.get(key)
    if cached is not None:
        # An identical resubmission: every node comes from the cache, nothing is sampled, the UI
        # output is re-sent and history lists the earlier files.
        nodes = list(graph.keys())
        send_ws(st, client_id, {"type": "execution_cached", "data": {"nodes": nodes, "prompt_id": prompt_id, "timestamp": now()}})
        messages = [["execution_start", {"prompt_id": prompt_id, "timestamp": now()}],
                    ["execution_cached", {"nodes": nodes, "prompt_id": prompt_id, "timestamp": now()}]]
        for nid, ui in cached.items():
            send_ws(st, client_id, {"type": "executed", "data": {"node": nid, "display_node": nid, "output": ui, "prompt_id": prompt_id}})
        messages.append(["execution_success", {"prompt_id": prompt_id, "timestamp": now()}])
        send_ws(st, client_id, {"type": "execution_success", "data": {"prompt_id": prompt_id, "timestamp": now()}})
        finish(st, client_id, prompt_id, graph, number, dict(cached), messages, "success")
        return
    send_ws(st, client_id, {"type": "execution_cached", "data": {"nodes": [], "prompt_id": prompt_id, "timestamp": now()}})
    messages = [["execution_start", {"prompt_id": prompt_id, "timestamp": now()}]]
    outputs = {}
    with st.lock:
        st.started = getattr(st, "started", []) + [prompt_id]
    width = height = 64
    seed = 0
    batch = 1
    ckpt = None
    texts = []
    for nid, node in graph.items():
        if node["class_type"] == "EmptyLatentImage":
            width, height = int(node["inputs"]["width"]), int(node["inputs"]["height"])
            batch = max(1, int(node["inputs"].get("batch_size", 1)))
        if node["class_type"] == "CheckpointLoaderSimple":
            ckpt = node["inputs"].get("ckpt_name")
        if node["class_type"] == "KSampler":
            seed = int(node["inputs"].get("seed", 0))
            texts = positive_texts(graph, node["inputs"].get("positive"))
    if a.hold_from and number > a.hold_from and not st.released.is_set():
        held = " | ".join(t for _, t in texts)
        with st.lock:
            st.held.append(held)
        st.released.wait()
        with st.lock:
            st.held.remove(held)
    with st.lock:
        switch = ckpt is not None and ckpt != st.loaded
        if switch:
            st.loaded = ckpt
            st.loads.append(ckpt)
        st.batch_sizes.append(batch)
    if switch and a.switch_delay:
        time.sleep(a.switch_delay)
    for nid, node in graph.items():
        send_ws(st, client_id, {"type": "executing", "data": {"node": nid, "display_node": nid, "prompt_id": prompt_id}})
        if node["class_type"] == "KSampler":
            steps = int(node["inputs"].get("steps", 20))
            for v in range(1, steps + 1):
                with st.lock:
                    stop = prompt_id in st.interrupted
                if stop:
                    send_ws(st, client_id, {"type": "execution_interrupted", "data": {
                        "prompt_id": prompt_id, "node_id": nid, "node_type": "KSampler", "executed": []}})
                    messages.append(["execution_interrupted", {"prompt_id": prompt_id, "node_id": nid}])
                    finish(st, client_id, prompt_id, graph, number, {}, messages, "error")
                    return
                time.sleep(a.step_delay * (1 + (batch - 1) * a.batch_cost))
                send_ws(st, client_id, {"type": "progress", "data": {"value": v, "max": steps, "prompt_id": prompt_id, "node": nid}})
                send_ws(st, client_id, {"type": "progress_state", "data": {"prompt_id": prompt_id, "nodes": {
                    nid: {"value": v, "max": steps, "state": "running", "node_id": nid, "prompt_id": prompt_id,
                          "display_node_id": nid, "parent_node_id": None, "real_node_id": nid}}}})
                send_ws(st, client_id, preview_frame(width, height, seed + v), opcode=0x2)
                if a.drop_ws_after and v == a.drop_ws_after:
                    drop_ws(st, client_id)
            if a.exec_error:
                data = {"prompt_id": prompt_id, "node_id": nid, "node_type": "KSampler", "executed": [],
                        "exception_message": "CUDA out of memory. Tried to allocate 2.00 GiB",
                        "exception_type": "torch.OutOfMemoryError", "traceback": [], "current_inputs": {},
                        "current_outputs": {}}
                send_ws(st, client_id, {"type": "execution_error", "data": data})
                messages.append(["execution_error", data])
                finish(st, client_id, prompt_id, graph, number, {}, messages, "error")
                return
        if node["class_type"] in OUTPUT_NODES:
            prefix = node["inputs"].get("filename_prefix", "ComfyUI")
            sub, _, base = prefix.rpartition("/")
            images = []
            for i in range(batch):
                with st.lock:
                    st.image_counter += 1
                    fname = "%s_%05d_.png" % (base, st.image_counter)
                    st.files[(sub, fname)] = common.png_bytes(width, height, (seed + i) % 256)
                    st.image_texts[fname] = text_for(texts, i)
                images.append({"filename": fname, "subfolder": sub,
                               "type": "output" if node["class_type"] == "SaveImage" else "temp"})
            ui = {"images": images}
            outputs[nid] = ui
            send_ws(st, client_id, {"type": "executed", "data": {"node": nid, "display_node": nid, "output": ui, "prompt_id": prompt_id}})
    messages.append(["execution_success", {"prompt_id": prompt_id, "timestamp": now()}])
    send_ws(st, client_id, {"type": "execution_success", "data": {"prompt_id": prompt_id, "timestamp": now()}})
    with st.lock:
        st.done_graphs[key] = dict(outputs)
    finish(st, client_id, prompt_id, graph, number, outputs, messages, "success")


def positive_texts(graph, link):
    """The prompt text(s) the sampler's positive input comes from: [(first frame, text)]."""
    if not (isinstance(link, list) and link and str(link[0]) in graph):
        return []
    node = graph[str(link[0])]
    if node["class_type"] == "CLIPTextEncode":
        return [(0, str(node["inputs"].get("text", "")))]
    if node["class_type"] == "BatchPromptSchedule":
        keys = json.loads("{" + node["inputs"].get("text", "") + "}")
        return sorted((int(k), v) for k, v in keys.items())
    return []


def text_for(texts, index):
    """The keyframe in force at batch index `index` (a schedule holds a prompt until the next)."""
    out = ""
    for frame, text in texts:
        if frame <= index:
            out = text
    return out


def finish(st, client_id, prompt_id, graph, number, outputs, messages, status):
    entry = {"prompt": [number, prompt_id, graph, {"client_id": client_id}, list(outputs.keys())],
             "outputs": outputs,
             "status": {"status_str": status, "completed": status == "success", "messages": messages},
             "meta": {k: {"node_id": k, "display_node": k, "parent_node": None, "real_node_id": k} for k in outputs}}
    with st.lock:
        st.history[prompt_id] = entry
    send_ws(st, client_id, {"type": "executing", "data": {"node": None, "prompt_id": prompt_id}})
    send_ws(st, client_id, {"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}}})


GIB = 1024 ** 3


def system_stats(a, st):
    """GET /system_stats as the server answers it: torch devices with their VRAM in bytes. The
    figures follow the work: a loaded checkpoint holds --checkpoint-gib on device 0, a running
    prompt --prompt-gib more (freed when it ends); POST /free {"unload_models": true} unloads."""
    with st.lock:
        loaded, running = st.loaded, st.running is not None
    devices = []
    for i in range(a.devices):
        total = int(a.vram_gib * GIB)
        used = int(0.4 * GIB)  # the CUDA context
        if i == 0:
            used += int(a.checkpoint_gib * GIB) if loaded else 0
            used += int(a.prompt_gib * GIB) if running else 0
        torch_total = used - int(0.4 * GIB)
        devices.append({"name": "cuda:%d NVIDIA GeForce RTX 4090 : cudaMallocAsync" % i, "type": "cuda",
                        "index": i, "vram_total": total, "vram_free": total - used,
                        "torch_vram_total": torch_total, "torch_vram_free": 0})
    return {"system": {"os": "posix", "ram_total": 67108864000, "ram_free": 40000000000,
                       "comfyui_version": "0.3.40", "required_frontend_version": "1.21.7",
                       "python_version": "3.12.3", "pytorch_version": "2.7.1+cu128",
                       "embedded_python": False, "argv": ["main.py"]},
            "devices": devices}


class H(common.Handler):
    def checkpoints(self):
        return [c for c in self.server.args.checkpoints.split(",") if c]

    def object_info(self):
        return {"CheckpointLoaderSimple": {
            "input": {"required": {"ckpt_name": [self.checkpoints(), {"tooltip": "The name of the checkpoint (model) to load."}]}},
            "input_order": {"required": ["ckpt_name"]}, "output": ["MODEL", "CLIP", "VAE"],
            "output_is_list": [False, False, False], "output_name": ["MODEL", "CLIP", "VAE"],
            "name": "CheckpointLoaderSimple", "display_name": "Load Checkpoint", "description": "",
            "python_module": "nodes", "category": "loaders", "output_node": False}}

    def do_GET(self):
        a, st = self.server.args, self.server.state
        u = urlparse(self.path)
        path = u.path[4:] if u.path.startswith("/api/") else u.path
        q = parse_qs(u.query)
        if path in ("/object_info", "/object_info/CheckpointLoaderSimple"):
            if a.garbage:
                return self.send(200, "<html>not json</html>", "text/html")
            return self.send(200, self.object_info())
        if path == "/__double/stats":
            with st.lock:
                return self.send(200, {"checkpoint_switches": len(st.loads), "loads": list(st.loads),
                                       "prompts": len(st.batch_sizes), "images": sum(st.batch_sizes),
                                       "batch_sizes": list(st.batch_sizes),
                                       "image_texts": dict(st.image_texts),
                                       "held": list(st.held)}, record=False)
        if path == "/system_stats":
            if a.stats_fail:
                return self.send(a.stats_fail, "500: Internal Server Error", "text/plain")
            return self.send(200, system_stats(a, st))
        if path == "/queue":
            with st.lock:
                running = [st.running] if st.running else []
                pending = list(st.pending)
            return self.send(200, {"queue_running": running, "queue_pending": pending})
        if path == "/history":
            n = int(q.get("max_items", ["10000"])[0])
            with st.lock:
                items = list(st.history.items())[-n:]
            return self.send(200, dict(items))
        if path.startswith("/history/"):
            with st.lock:
                entry = st.history.get(path[len("/history/"):])
            return self.send(200, {path[len("/history/"):]: entry} if entry else {})
        if path == "/view":
            fname = q.get("filename", [""])[0]
            sub = q.get("subfolder", [""])[0]
            if ".." in fname or fname.startswith("/"):
                return self.send(400, "", "text/plain")
            if ".." in sub:
                return self.send(403, "", "text/plain")
            with st.lock:
                data = st.files.get((sub, fname))
            if data is None:
                return self.send(404, "", "text/plain")
            if a.view_garbage:
                data = b"<html>oops</html>"
            return self.send(200, data, "image/png", headers={"Content-Disposition": 'filename="%s"' % fname})
        if path == "/ws":
            if a.no_ws:
                return self.send(404, "404: Not Found", "text/plain")
            client_id = q.get("clientId", [uuid.uuid4().hex])[0]
            if not common.ws_accept(self):
                return
            lock = threading.Lock()
            with st.lock:
                st.sockets[client_id] = (self.wfile, lock, self.connection)
            with lock:
                common.ws_send(self.wfile, {"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}, "sid": client_id}})
            try:
                while True:  # wait for the client to go away (close frame or EOF)
                    b = self.rfile.read(2)
                    if len(b) < 2 or (b[0] & 0x0F) == 0x8:
                        break
                    n = b[1] & 0x7F
                    if n == 126:
                        n = int.from_bytes(self.rfile.read(2), "big")
                    elif n == 127:
                        n = int.from_bytes(self.rfile.read(8), "big")
                    self.rfile.read(n + (4 if b[1] & 0x80 else 0))
            except OSError:
                pass
            with st.lock:
                if client_id in st.sockets and st.sockets[client_id][2] is self.connection:
                    st.sockets.pop(client_id, None)
            self.close_connection = True
            return
        self.send(404, "404: Not Found", "text/plain")

    def do_POST(self):
        a, st = self.server.args, self.server.state
        u = urlparse(self.path)
        path = u.path[4:] if u.path.startswith("/api/") else u.path
        if path == "/free":
            req = self.json_body() or {}
            with st.lock:
                if req.get("unload_models"):
                    st.loaded = None
            return self.send(200, "", "text/plain")
        if path == "/__double/release":
            st.released.set()
            return self.send(200, "", "text/plain", record=False)
        if path == "/interrupt":
            req = self.json_body() or {}
            with st.lock:
                running = st.running[1] if st.running else None
                # {"prompt_id": id} interrupts only when that prompt is the one running.
                if running and req.get("prompt_id", running) == running:
                    st.interrupted.add(running)
            return self.send(200, "", "text/plain")
        if path == "/queue":
            req = self.json_body() or {}
            with st.lock:
                if req.get("clear"):
                    st.deleted = getattr(st, "deleted", []) + [e[1] for e in st.pending]
                    st.pending = []
                for pid in req.get("delete", []):
                    if any(e[1] == pid for e in st.pending):
                        st.pending = [e for e in st.pending if e[1] != pid]
            return self.send(200, "", "text/plain")
        if path != "/prompt":
            return self.send(404, "404: Not Found", "text/plain")
        req = self.json_body()
        if a.delay:
            time.sleep(a.delay)
        if not a.fail_after_queue and common.should_fail(self.server):
            return self.send(a.fail, "500 Internal Server Error", "text/plain")
        if a.garbage:
            return self.send(200, "not json at all", "text/plain")
        if not isinstance(req, dict) or not isinstance(req.get("prompt"), dict):
            return self.send(400, {"error": {"type": "no_prompt", "message": "No prompt provided", "details": "", "extra_info": {}}, "node_errors": {}})
        graph = req["prompt"]
        for nid, node in graph.items():
            if not isinstance(node, dict) or node.get("class_type") not in KNOWN:
                ct = node.get("class_type") if isinstance(node, dict) else None
                return self.send(400, {"error": {"type": "missing_node_type",
                                                 "message": "Node '%s' not found. The custom node may not be installed." % ct,
                                                 "details": "Node ID '#%s'" % nid,
                                                 "extra_info": {"node_id": nid, "class_type": ct, "node_title": ct}},
                                       "node_errors": {}})
        if not any(n["class_type"] in OUTPUT_NODES for n in graph.values()):
            return self.send(400, {"error": {"type": "prompt_no_outputs", "message": "Prompt has no outputs", "details": "", "extra_info": {}}, "node_errors": []})
        node_errors = {}
        for nid, node in graph.items():
            if node["class_type"] == "CheckpointLoaderSimple":
                name = node["inputs"].get("ckpt_name")
                if name not in self.checkpoints():
                    node_errors[nid] = {"errors": [{"type": "value_not_in_list", "message": "Value not in list",
                                                    "details": "ckpt_name: '%s' not in %s" % (name, self.checkpoints()),
                                                    "extra_info": {"input_name": "ckpt_name"}}],
                                        "dependent_outputs": [k for k, n in graph.items() if n["class_type"] in OUTPUT_NODES],
                                        "class_type": "CheckpointLoaderSimple"}
        if node_errors:
            return self.send(400, {"error": {"type": "prompt_outputs_failed_validation",
                                             "message": "Prompt outputs failed validation", "details": "",
                                             "extra_info": {}}, "node_errors": node_errors})
        prompt_id = str(uuid.uuid4())
        extra = dict(req.get("extra_data") or {})
        if "client_id" in req:
            extra["client_id"] = req["client_id"]
        with st.wake:
            st.number += 1
            number = st.number
            st.prompts.append(req)
            st.pending.append([number, prompt_id, graph, extra, [k for k, n in graph.items() if n["class_type"] in OUTPUT_NODES]])
            if st.worker is None:
                st.worker = threading.Thread(target=worker_loop, args=(self.server,), daemon=True)
                st.worker.start()
            st.wake.notify()
        if a.fail_after_queue and common.should_fail(self.server):
            # Queued, but the answer is lost (a proxy's 502, a reset): the client must not send it again.
            return self.send(a.fail, "502 Bad Gateway", "text/plain")
        # Newer servers add fields; clients ignore unknown keys.
        self.send(200, {"prompt_id": prompt_id, "number": number, "node_errors": {}})


if __name__ == "__main__":
    p = common.base_parser("ComfyUI stand-in")
    p.add_argument("--checkpoints", default="v1-5-pruned-emaonly.safetensors,sdxl_base_1.0.safetensors")
    p.add_argument("--step-delay", type=float, default=0.005, help="seconds per sampler step")
    p.add_argument("--switch-delay", type=float, default=0.0, help="seconds to load another checkpoint")
    p.add_argument("--batch-cost", type=float, default=1.0,
                   help="each extra latent in a batch costs this share of one picture's sampling time")
    p.add_argument("--exec-error", action="store_true", help="fail in KSampler with execution_error")
    p.add_argument("--no-ws", action="store_true", help="no WebSocket endpoint (client must poll)")
    p.add_argument("--view-garbage", action="store_true", help="/view returns non-image bytes")
    p.add_argument("--drop-ws-after", type=int, default=0, help="drop the /ws connection after N sampler steps")
    p.add_argument("--hold-from", type=int, default=0,
                   help="prompts after the N-th wait before sampling until POST /__double/release")
    p.add_argument("--fail-after-queue", action="store_true",
                   help="--fail applies after the prompt was queued (the answer is lost, the prompt runs)")
    p.add_argument("--devices", type=int, default=1, help="torch devices in /system_stats")
    p.add_argument("--vram-gib", type=float, default=24.0, help="VRAM of each device (GiB)")
    p.add_argument("--checkpoint-gib", type=float, default=2.0, help="VRAM a loaded checkpoint holds")
    p.add_argument("--prompt-gib", type=float, default=3.0, help="more VRAM while a prompt runs")
    p.add_argument("--stats-fail", type=int, default=0, help="answer /system_stats with this status")
    common.serve(H, State(), p)

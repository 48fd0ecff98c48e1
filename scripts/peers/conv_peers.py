#!/usr/bin/env python3
"""Convolution peers for `wxens-bench kernels`: onnxruntime and PyTorch CPU conv2d, and OpenBLAS sgemm.

One-shot: conv_peers.py --threads T --repeats R --shapes "N,Cin,Cout,H,W;..." [--sgemm 2048] [--clock wall|cpu]
  prints one JSON object: {"threads": T, "sgemm_gflops": g, "shapes": [{"shape": [...],
  "onnxruntime_forward": g, "torch_forward": g, "torch_forward_channels_last": g,
  "torch_backward_data": g, "torch_backward_weight": g}, ...]}; each figure is the best of R timed
  runs after a warm-up.
Serve: conv_peers.py --threads T --serve [--clock wall|cpu]
  reads one JSON command per line and answers each with one JSON line, so that the bench can time
  a peer's run right beside its own (interleaved), not minutes apart:
    {"cmd": "prepare", "shape": [N, Cin, Cout, H, W]} -> {"ops": [...]}   (builds and warms every op)
    {"cmd": "time", "op": "onnxruntime_forward"}       -> {"seconds": s}  (one untimed run, then one timed run)
    {"cmd": "sgemm", "n": 2048}                         -> {"seconds": s}  (one timed a @ b; warm on first use)
Each shape is a 3x3, stride 1, padding 1 convolution (float32, NCHW);
GFLOP/s count 2*N*Cin*Cout*9*H*W per pass.
"""
import argparse
import json
import os
import sys
import time


CLOCK = time.perf_counter


def best_time(fn, repeats):
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = CLOCK()
        fn()
        best = min(best, CLOCK() - t0)
    return best


def one_time(fn):
    t0 = CLOCK()
    fn()
    return CLOCK() - t0


def conv_ops(shape, threads, rng):
    """The peers' passes at one shape, as callables: op name -> fn."""
    import numpy as np
    import torch
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    n, cin, cout, h, w = shape
    x = rng.standard_normal((n, cin, h, w), dtype=np.float32)
    wt = (rng.standard_normal((cout, cin, 3, 3), dtype=np.float32) / np.sqrt(cin * 9)).astype(np.float32)
    go = rng.standard_normal((n, cout, h, w), dtype=np.float32)
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])],
        "conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n, cin, h, w])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [n, cout, h, w])],
        [numpy_helper.from_array(wt, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    tx, tw, tgo = torch.from_numpy(x), torch.from_numpy(wt), torch.from_numpy(go)
    txl = tx.contiguous(memory_format=torch.channels_last)
    twl = tw.contiguous(memory_format=torch.channels_last)
    cb = torch.ops.aten.convolution_backward

    def no_grad(fn):
        def run():
            with torch.no_grad():
                fn()
        return run

    # The backward passes are the two that autograd runs (aten.convolution_backward).
    return {
        "onnxruntime_forward": lambda: sess.run(None, {"x": x}),
        "torch_forward": no_grad(lambda: torch.nn.functional.conv2d(tx, tw, padding=1)),
        "torch_forward_channels_last": no_grad(lambda: torch.nn.functional.conv2d(txl, twl, padding=1)),
        "torch_backward_data": no_grad(
            lambda: cb(tgo, tx, tw, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1, [True, False, False])),
        "torch_backward_weight": no_grad(
            lambda: cb(tgo, tx, tw, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1, [False, True, False])),
    }


def serve(rng):
    import numpy as np
    ops = {}
    sgemm = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        cmd = req.get("cmd")
        if cmd == "prepare":
            ops = conv_ops([int(v) for v in req["shape"]], serve.threads, rng)
            for fn in ops.values():
                fn()
            reply = {"ops": sorted(ops)}
        elif cmd == "time":
            # Run once untimed first, as the bench does for its own passes, so that neither side is timed on a
            # core that has just been idle (the bench waits for the peers' thread pools to settle between runs).
            ops[req["op"]]()
            reply = {"seconds": one_time(ops[req["op"]])}
        elif cmd == "sgemm":
            k = int(req.get("n", 2048))
            if k not in sgemm:
                sgemm[k] = (rng.standard_normal((k, k), dtype=np.float32), rng.standard_normal((k, k), dtype=np.float32))
                sgemm[k][0] @ sgemm[k][1]
            a, b = sgemm[k]
            reply = {"seconds": one_time(lambda: a @ b)}
        else:
            reply = {"error": f"unknown command {cmd!r}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--shapes", default="")
    ap.add_argument("--sgemm", type=int, default=2048)
    ap.add_argument("--serve", action="store_true", help="answer timing commands on stdin (see the module doc)")
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                    help="cpu: process CPU time (meaningful at 1 thread on a shared machine)")
    args = ap.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    # Thread pools read these at import time: give every library the same thread count.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    # OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set machine-wide for other tools; let OpenBLAS detect the CPU here.
    os.environ.pop("OPENBLAS_CORETYPE", None)
    os.environ.pop("OPENBLAS_L2_SIZE", None)
    import numpy as np
    import torch
    import onnxruntime as ort

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    if args.serve:
        serve.threads = args.threads
        serve(rng)
        return

    out = {"threads": args.threads, "torch": torch.__version__, "onnxruntime": ort.__version__,
           "numpy": np.__version__, "shapes": []}
    if args.sgemm > 0:
        a = rng.standard_normal((args.sgemm, args.sgemm), dtype=np.float32)
        b = rng.standard_normal((args.sgemm, args.sgemm), dtype=np.float32)
        t = best_time(lambda: a @ b, args.repeats)
        out["sgemm_gflops"] = 2 * args.sgemm ** 3 / t / 1e9

    for spec in filter(None, args.shapes.split(";")):
        shape = [int(v) for v in spec.split(",")]
        n, cin, cout, h, w = shape
        flops = 2.0 * n * cin * cout * 9 * h * w
        rec = {"shape": shape}
        for name, fn in conv_ops(shape, args.threads, rng).items():
            rec[name] = flops / best_time(fn, args.repeats) / 1e9
        out["shapes"].append(rec)

    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Convolution peers for `wxens-bench kernels`: onnxruntime and PyTorch CPU conv2d, and OpenBLAS sgemm.

Usage: conv_peers.py --threads T --repeats R --shapes "N,Cin,Cout,H,W;..." [--sgemm 2048] [--clock wall|cpu]
Each shape is a 3x3, stride 1, padding 1 convolution (float32, NCHW). Prints one JSON object:
{"threads": T, "sgemm_gflops": g, "shapes": [{"shape": [...], "onnxruntime_forward": g,
 "torch_forward": g, "torch_forward_channels_last": g, "torch_backward_data": g,
 "torch_backward_weight": g}, ...]}
GFLOP/s count 2*N*Cin*Cout*9*H*W per pass; each figure is the best of R timed runs after a warm-up.
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--shapes", default="")
    ap.add_argument("--sgemm", type=int, default=2048)
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
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    out = {"threads": args.threads, "torch": torch.__version__, "onnxruntime": ort.__version__,
           "numpy": np.__version__, "shapes": []}

    if args.sgemm > 0:
        a = rng.standard_normal((args.sgemm, args.sgemm), dtype=np.float32)
        b = rng.standard_normal((args.sgemm, args.sgemm), dtype=np.float32)
        t = best_time(lambda: a @ b, args.repeats)
        out["sgemm_gflops"] = 2 * args.sgemm ** 3 / t / 1e9

    for spec in filter(None, args.shapes.split(";")):
        n, cin, cout, h, w = (int(v) for v in spec.split(","))
        flops = 2.0 * n * cin * cout * 9 * h * w
        x = rng.standard_normal((n, cin, h, w), dtype=np.float32)
        wt = (rng.standard_normal((cout, cin, 3, 3), dtype=np.float32) / np.sqrt(cin * 9)).astype(np.float32)
        go = rng.standard_normal((n, cout, h, w), dtype=np.float32)
        rec = {"shape": [n, cin, cout, h, w]}

        # onnxruntime forward
        graph = helper.make_graph(
            [helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])],
            "conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n, cin, h, w])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [n, cout, h, w])],
            [numpy_helper.from_array(wt, "w")])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        so = ort.SessionOptions()
        so.intra_op_num_threads = args.threads
        so.inter_op_num_threads = 1
        sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
        rec["onnxruntime_forward"] = flops / best_time(lambda: sess.run(None, {"x": x}), args.repeats) / 1e9

        # PyTorch forward and the two backward passes autograd runs (aten.convolution_backward)
        tx, tw, tgo = torch.from_numpy(x), torch.from_numpy(wt), torch.from_numpy(go)
        with torch.no_grad():
            rec["torch_forward"] = flops / best_time(lambda: torch.nn.functional.conv2d(tx, tw, padding=1), args.repeats) / 1e9
            txl = tx.contiguous(memory_format=torch.channels_last)
            twl = tw.contiguous(memory_format=torch.channels_last)
            rec["torch_forward_channels_last"] = flops / best_time(
                lambda: torch.nn.functional.conv2d(txl, twl, padding=1), args.repeats) / 1e9
            cb = torch.ops.aten.convolution_backward
            rec["torch_backward_data"] = flops / best_time(
                lambda: cb(tgo, tx, tw, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1, [True, False, False]),
                args.repeats) / 1e9
            rec["torch_backward_weight"] = flops / best_time(
                lambda: cb(tgo, tx, tw, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1, [False, True, False]),
                args.repeats) / 1e9
        out["shapes"].append(rec)

    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

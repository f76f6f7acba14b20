r"""Time per optimizer step on large float64 parameter vectors: ours against torch.optim and
against a memory-bandwidth bound measured in the same run.

    .venv/bin/python benchmarks/optim_step.py            # 1e5, 1e6, 1e7 parameters (about 1-2 min)
    .venv/bin/python benchmarks/optim_step.py --quick    # 1e5 and 1e6, fewer repeats (~15 s)

Rows: every optimizer of the registry ``course_lib.optimizers.OPTIMIZERS`` (built with
``lr=1e-3``, Adadelta without, and default hyperparameters otherwise), paired with the
``torch.optim`` class and arguments its ``torch_equivalent()`` declares. An optimizer added to the package later gets a row without
any change here.

Columns, milliseconds per step (the minimum over repeats; candidates are timed round-robin so
that a neighbour's load on a shared machine hits them all alike):

* ``fast``: ``opt.update_inplace(w, g, state)``, our allocation-free path (the kernels of
  ``course_lib/optimizers/_fast.py``), checks included
  (finite gradient, shapes), single-threaded numpy;
* ``readable``: ``step, state = opt.update(g, state, w); w += step``, the code the lessons show;
* ``torch``: ``torch.optim.<cls>(..., **kwargs).step()`` with torch's default implementation
  choice (on CPU tensors torch picks the per-tensor loop, not foreach, unless ``--foreach``)
  and its default thread count;
* ``torch 1t``: the same with ``torch.set_num_threads(1)``, like for like with numpy's one
  thread;
* ``bound``: the bytes the update must move divided by the bandwidth of a numpy copy measured
  now. An update that keeps k state buffers reads W, g and the k buffers and writes W and the
  k buffers: (2k + 3) n 8 bytes. The copy (``np.copyto``) runs over a working set as large as
  the update's ((k + 2) n 8 bytes, same cache level); its bandwidth counts bytes read plus
  bytes written. No single-threaded numpy update can beat this figure by much; torch with
  two threads can, because one core here does not saturate the memory bus.

Speed targets are read off this table, never asserted in tests.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

import course_lib
from course_lib import optimizers as O

try:
    import torch
except ImportError:   # the torch columns are left out
    torch = None


def build_rows(lr=1e-3):
    """(name, our optimizer, TorchEquivalent or None, number of state buffers) for every
    optimizer of the registry (``course_lib.optimizers.OPTIMIZERS``), built with ``lr`` (left
    out for a method that takes none) and its defaults otherwise."""
    rows = []
    for name, cls in O.OPTIMIZERS.items():
        opt = O.build(cls, lr=lr)
        try:
            eq = opt.torch_equivalent()
        except NotImplementedError:
            eq = None
        state = opt.init(np.zeros(1))      # buffers a flag leaves off are None: not counted
        k = len([f for f in state._fields if f != "t" and getattr(state, f) is not None])
        rows.append((name, opt, eq, k))
    return rows


def timed(fn, setup=None, teardown=None):
    """One timing of fn(), excluding setup and teardown."""
    if setup:
        setup()
    t0 = time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    if teardown:
        teardown()
    return dt


def round_robin(cands: dict, repeats: int) -> dict:
    """Minimum time of each candidate, measuring them in turn `repeats` times."""
    for c in cands.values():             # warm up: first calls allocate buffers, fault pages
        timed(*c)
    best = {k: np.inf for k in cands}
    for _ in range(repeats):
        for k, c in cands.items():
            best[k] = min(best[k], timed(*c))
    return best


def copy_candidate(n_elems, rng):
    src = rng.normal(size=n_elems)
    dst = np.empty_like(src)
    return (lambda: np.copyto(dst, src),), 2 * src.nbytes   # (candidate, bytes moved)


def ours_fast(opt, w0, g):
    w, state = w0.copy(), opt.init(w0)
    box = [state]

    def run():
        box[0] = opt.update_inplace(w, g, box[0])
    return (run,)


def ours_readable(opt, w0, g):
    w, box = w0.copy(), [opt.init(w0)]

    def run():
        step, box[0] = opt.update(g, box[0], w)
        w.__iadd__(step)
    return (run,)


def torch_candidate(eq, w0, g, threads, foreach):
    p = torch.tensor(w0.copy(), requires_grad=True)
    p.grad = torch.tensor(g)
    kwargs = dict(eq.kwargs)
    if foreach:
        kwargs["foreach"] = True
    topt = getattr(torch.optim, eq.cls)([p], **kwargs)
    g_keep = p.grad.clone()     # some torch rules (SGD with nesterov=True) write into p.grad
    default = torch.get_num_threads()

    def setup():
        if threads:
            torch.set_num_threads(threads)
        p.grad.copy_(g_keep) if eq.kwargs.get("nesterov") else None

    def teardown():
        if threads:
            torch.set_num_threads(default)
    return (topt.step, setup, teardown)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1e5 and 1e6 only, fewer repeats")
    ap.add_argument("--sizes", type=float, nargs="+", help="parameter counts (default 1e5 1e6 1e7)")
    ap.add_argument("--foreach", action="store_true", help="force torch's foreach implementation")
    ap.add_argument("--only", nargs="+", help="only these optimizer class names")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ([1e5, 1e6] if args.quick else [1e5, 1e6, 1e7]))]

    if torch is not None:
        torch.set_default_dtype(torch.float64)
    rows = build_rows()
    if args.only:
        rows = [r for r in rows if r[0] in args.only]
    print(f"course_lib {course_lib.__version__}, numpy {np.__version__}, "
          f"torch {torch.__version__ if torch else 'not installed'} "
          f"({torch.get_num_threads() if torch else '-'} threads), "
          f"python {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}")
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for n in sizes:
        repeats = (5 if args.quick else 7) if n >= 5_000_000 else (10 if args.quick else 25)
        w0, g = rng.normal(size=n), rng.normal(size=n)
        ks = sorted({k for *_, k in rows})
        copies = {k: copy_candidate((k + 2) * n // 2, rng) for k in ks}
        t_copy = round_robin({k: c for k, (c, _) in copies.items()}, repeats)
        bw = {k: copies[k][1] / t_copy[k] for k in ks}           # bytes per second
        print(f"\nn = {n:,} float64 parameters ({n * 8 / 1e6:.1f} MB per array); "
              f"copy bandwidth " + ", ".join(f"{bw[k] / 1e9:.1f}" for k in ks) +
              f" GB/s for working sets of {', '.join(str(k + 2) for k in ks)} arrays")
        head = f"{'optimizer':<18}{'torch.optim':<32}{'bound':>8}{'fast':>8}{'readable':>10}"
        if torch is not None:
            head += f"{'torch':>8}{'torch 1t':>10}{'fast/torch':>12}{'fast/1t':>9}"
        print(head + f"{'fast/bound':>12}")
        for name, opt, eq, k in rows:
            bound = (2 * k + 3) * n * 8 / bw[k]
            cands = {"fast": ours_fast(opt, w0, g), "readable": ours_readable(opt, w0, g)}
            if torch is not None and eq is not None:
                cands["torch"] = torch_candidate(eq, w0, g, None, args.foreach)
                cands["torch1"] = torch_candidate(eq, w0, g, 1, args.foreach)
            try:
                t = round_robin(cands, repeats)
            except Exception as err:     # a row under construction must not stop the table
                print(f"{name:<18}failed: {type(err).__name__}: {err}")
                continue
            desc = (f"{eq.cls}({', '.join(f'{a}={v:g}' if isinstance(v, float) else f'{a}={v}' for a, v in eq.kwargs.items())})"
                    if eq is not None else "-")
            line = f"{name:<18}{desc[:31]:<32}{bound * 1e3:8.3f}{t['fast'] * 1e3:8.3f}{t['readable'] * 1e3:10.3f}"
            if torch is not None:
                if "torch" in t:
                    line += (f"{t['torch'] * 1e3:8.3f}{t['torch1'] * 1e3:10.3f}"
                             f"{t['fast'] / t['torch']:11.2f}x{t['fast'] / t['torch1']:8.2f}x")
                else:
                    line += f"{'-':>8}{'-':>10}{'-':>12}{'-':>9}"
            print(line + f"{t['fast'] / bound:11.2f}x", flush=True)
    print(f"\n(all times in ms per step, minimum of {repeats}+ round-robin repeats; "
          f"total {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())

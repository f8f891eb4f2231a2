"""Benchmark: training throughput and peak memory, heatmap head vs SimDR head (paper Sec. 4.4 / Table 4).

``python -m simdr_lite.bench train [--quick] [--model hrnet_w32] [--size 192 256] [--batch 32]``

Times full training steps (forward, loss, backward, Adam step) of the same backbone with the heatmap
head + ``JointsMSELoss`` (heatmap targets encoded on the device) against the SimDR head +
``SimDRLoss`` (bin targets), measured interleaved in the same run, and prints img/s, peak memory and
the SimDR / heatmap ratio. On CUDA: HRNet-W32 256x192, AMP bf16, channels_last (the paper's setting);
on CPU (or ``--quick``) a smoke measurement with ``simbaseline_tiny`` at 64x64 so the command works
anywhere. Random uint8 crops through the trainer's batch step: this measures normalisation, target
encoding, model and loss, not the data loader.
"""

from __future__ import annotations

import argparse
import time

import torch

from simdr_lite.data.batch import prepare_batch
from simdr_lite.models import build_model
from simdr_lite.representations import Representation, get_representation

#: The two representations compared, with the official 256x192 settings (heatmap sigma 2, SimDR k = 2).
SETTINGS = {"heatmap": {"sigma": 2.0}, "simdr": {"k": 2.0, "label_smoothing": 0.1}}


def _setup(rep: Representation, model_name: str, device: torch.device, channels_last: bool):
    model = build_model(model_name, input_size=rep.input_size, simdr_k=rep.simdr_k).to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return model, rep, rep.make_loss(), opt


def _step(parts, batch, device, amp_dtype) -> None:
    """One training step from a loader-like batch (uint8 crops, crop joints), through the same batch step
    as the trainer (:func:`~simdr_lite.data.batch.prepare_batch`: normalisation, targets on the device)."""
    model, rep, loss_fn, opt = parts
    images, target, weight = prepare_batch(batch, device, rep.encode, channels_last=device.type == "cuda")
    ctx = torch.autocast(images.device.type, dtype=amp_dtype, enabled=amp_dtype is not None)
    with ctx:
        out = model(images)
    out = out.float() if torch.is_tensor(out) else tuple(o.float() for o in out)
    loss = loss_fn(out, target, weight)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def _peak_memory_mib(rep: Representation, name: str, device: torch.device, data, amp_dtype) -> float:
    """Peak CUDA memory (MiB) of two training steps of ``rep``'s model, built alone and freed after."""
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    parts = _setup(rep, name, device, True)
    for _ in range(2):
        _step(parts, data, device, amp_dtype)
    torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated() / 2**20
    del parts
    torch.cuda.empty_cache()
    return peak


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m simdr_lite.bench train", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny model, few steps (smoke)")
    p.add_argument("--model", default=None,
                   help="registry name (default: hrnet_w32 on CUDA, else simbaseline_tiny)")
    p.add_argument("--size", type=int, nargs=2, default=None, metavar=("W", "H"))
    p.add_argument("--batch", type=int, default=None)
    p.add_argument("--steps", type=int, default=None)
    args = p.parse_args(argv)

    cuda = torch.cuda.is_available() and not args.quick
    device = torch.device("cuda" if cuda else "cpu")
    name = args.model or ("hrnet_w32" if cuda else "simbaseline_tiny")
    size = tuple(args.size or ((192, 256) if cuda else (64, 64)))
    batch = args.batch or (32 if cuda else 16)
    steps = args.steps or (30 if cuda else (3 if args.quick else 8))
    amp_dtype = torch.bfloat16 if cuda else None
    torch.manual_seed(0)

    images = torch.randint(0, 256, (batch, 3, size[1], size[0]), dtype=torch.uint8)
    kp = torch.rand(batch, 17, 2) * torch.tensor(size, dtype=torch.float32)
    data = {"image": images.pin_memory() if cuda else images, "joints": kp,
            "joints_vis": torch.ones(batch, 17)}
    reps = {h: get_representation(h, size, **settings) for h, settings in SETTINGS.items()}
    heads = tuple(reps)
    # peak memory first, one model at a time (built, two steps, freed): the other model's weights and
    # optimizer state must not count in it
    peak = ({h: _peak_memory_mib(rep, name, device, data, amp_dtype) for h, rep in reps.items()}
            if cuda else {})
    parts = {h: _setup(rep, name, device, cuda) for h, rep in reps.items()}
    times = {h: 0.0 for h in heads}
    for h in heads:  # warm-up
        for _ in range(2):
            _step(parts[h], data, device, amp_dtype)
    for _ in range(steps):  # interleaved: load on the machine hits both alike
        for h in heads:
            if cuda:
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            _step(parts[h], data, device, amp_dtype)
            if cuda:
                torch.cuda.synchronize()
            times[h] += time.perf_counter() - t0
    print(f"device={device.type} model={name} input={size[0]}x{size[1]} batch={batch} steps={steps} "
          f"amp={'bf16' if amp_dtype else 'fp32'} threads={torch.get_num_threads()}")
    ips = {h: batch * steps / times[h] for h in heads}
    for h in heads:
        mem = f"  peak {peak[h]:.0f} MiB" if cuda else ""
        print(f"  {h:8s} {ips[h]:8.1f} img/s{mem}")
    print(f"  SimDR / heatmap training throughput ratio: {ips['simdr'] / ips['heatmap']:.2f}")


if __name__ == "__main__":
    main()

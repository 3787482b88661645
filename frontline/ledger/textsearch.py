"""Chinese text similarity with no Django import: normalization, segmentation and a BM25 index.

Text is converted to Simplified characters (OpenCC t2s), cleared of the conversion garbage seen
in re-published news (pinyin glosses such as 現(xiàn)場(chǎng), stray "!" or ";"), segmented with
rjieba and ranked with BM25 (bm25s).
"""

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# A pinyin gloss after a character: "(xiàn)", "(chǎng)", with tone marks or tone digits.
_PINYIN_GLOSS = re.compile(r"[(（]\s*[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê]{1,8}[1-5]?\s*[)）]")
_NOISE = re.compile(r"[\s!！;；?？,，.。、:：\"'“”‘’()（）\[\]【】<>《》\-—_/\\|*#@&%$^~`=+]+")
# Single-character function words that carry no meaning for similarity.
_STOPWORDS = frozenset(
    "的了和与及或在是有为对把被让等也都就又还这那其之而并将向从到于以个我你他她它们要会能可请已无不没上下中后前里"
)


@lru_cache(maxsize=1)
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """Return `text` in Simplified characters, lower case, without pinyin glosses."""
    simplified = _converter().convert(text or "")
    return _PINYIN_GLOSS.sub("", simplified).lower()


def tokenize(text: str) -> list[str]:
    """Return the words of `text` for indexing: segmented, without punctuation and stop words."""
    import rjieba

    words = rjieba.cut(_NOISE.sub(" ", normalize(text)))
    return [w for w in (w.strip() for w in words) if w and w not in _STOPWORDS]


@dataclass(frozen=True)
class Hit:
    doc_id: int
    score: float


class SimilarIndex:
    """A BM25 index over documents identified by integer ids."""

    def __init__(self, ids: Sequence[int], token_lists: Sequence[list[str]]) -> None:
        import bm25s  # type: ignore[import-untyped]

        retriever = None
        if len(ids):
            retriever = bm25s.BM25()
            # bm25s wants at least one token per document.
            retriever.index([tokens or ["_"] for tokens in token_lists], show_progress=False)
        self._set(ids, retriever)

    def _set(self, ids: Sequence[int], retriever: Any) -> None:
        import numpy

        self._id_array = numpy.asarray(ids, dtype=numpy.int64)  # position → problem id
        # Ids in ascending order with their positions, to find the positions of an `only` list.
        self._by_id = numpy.argsort(self._id_array, kind="stable")
        self._sorted_ids = self._id_array[self._by_id]
        self._lock = threading.Lock()
        self._retriever: Any = retriever

    def save(self, directory: Path) -> None:
        """Write the index into `directory` (new or empty), for `load` by other processes."""
        import numpy

        directory.mkdir(parents=True, exist_ok=True)
        numpy.save(directory / "ids.npy", self._id_array)
        if self._retriever is not None:
            self._retriever.save(str(directory / "bm25"), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> "SimilarIndex":
        """Read an index written by `save`, memory-mapped: processes share its pages."""
        import bm25s
        import numpy

        index = cls.__new__(cls)
        ids = numpy.load(directory / "ids.npy", mmap_mode="r")
        retriever = None
        if len(ids):
            retriever = bm25s.BM25.load(str(directory / "bm25"), mmap=True, show_progress=False)
        index._set(ids, retriever)
        return index

    @classmethod
    def from_texts(cls, docs: Iterable[tuple[int, str]]) -> "SimilarIndex":
        ids: list[int] = []
        tokens: list[list[str]] = []
        for doc_id, text in docs:
            ids.append(doc_id)
            tokens.append(tokenize(text))
        return cls(ids, tokens)

    def __len__(self) -> int:
        return len(self._id_array)

    def search(self, text: str, k: int, *, only: Sequence[int] | None = None) -> list[Hit]:
        """Return up to `k` documents by descending BM25 score (score > 0 only).

        With `only`, documents whose id is not in it score zero (a mask, not a post-filter).
        """
        query = tokenize(text)
        if not len(self) or not query or k <= 0:
            return []
        token_ids = self._retriever.get_tokens_ids(query)
        if not token_ids:
            return []
        import numpy

        positions = None
        if only is not None:
            positions = self._positions(numpy.unique(numpy.asarray(list(only), dtype=numpy.int64)))
            if not len(positions):
                return []
        # Scores of every document (a sum of sparse columns), then the best k by argpartition:
        # bm25s's own retrieve takes up to ten times longer at a million documents, and its weight
        # mask ranks all of them when only a few thousand are allowed.
        with self._lock:  # bm25s is not documented as thread-safe
            scores = self._retriever.get_scores(token_ids)
        if positions is not None:
            scores = scores[positions]
        k = min(k, len(scores))
        best = numpy.argpartition(-scores, k - 1)[:k]
        best = best[numpy.argsort(-scores[best], kind="stable")]
        at = best if positions is None else positions[best]
        return [
            Hit(int(self._id_array[int(p)]), float(scores[i])) for p, i in zip(at, best, strict=True) if scores[i] > 0.0
        ]

    def _positions(self, wanted: Any) -> Any:
        """Return the index positions of the ids in `wanted` (sorted, unique) that the index holds."""
        import numpy

        at = numpy.searchsorted(self._sorted_ids, wanted)
        inside = at < len(self._sorted_ids)
        at, wanted = at[inside], wanted[inside]
        held = self._sorted_ids[at] == wanted
        return self._by_id[at[held]]

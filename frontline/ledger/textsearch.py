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
        import numpy

        self.ids = list(ids)
        self._id_array = numpy.asarray(self.ids, dtype=numpy.int64)
        # Ids in ascending order with their positions, to find the positions of an `only` list.
        self._by_id = numpy.argsort(self._id_array, kind="stable")
        self._sorted_ids = self._id_array[self._by_id]
        self._lock = threading.Lock()
        self._retriever: Any = None
        if self.ids:
            self._retriever = bm25s.BM25()
            # bm25s wants at least one token per document.
            self._retriever.index([tokens or ["_"] for tokens in token_lists], show_progress=False)

    @classmethod
    def from_texts(cls, docs: Iterable[tuple[int, str]]) -> "SimilarIndex":
        ids: list[int] = []
        tokens: list[list[str]] = []
        for doc_id, text in docs:
            ids.append(doc_id)
            tokens.append(tokenize(text))
        return cls(ids, tokens)

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, text: str, k: int, *, only: Sequence[int] | None = None) -> list[Hit]:
        """Return up to `k` documents by descending BM25 score (score > 0 only).

        With `only`, documents whose id is not in it score zero (a mask, not a post-filter).
        """
        query = tokenize(text)
        if not self.ids or not query or k <= 0:
            return []
        k = min(k, len(self.ids))
        if only is not None:
            return self._search_within(query, k, only)
        with self._lock:  # bm25s retrieval is not documented as thread-safe
            docs, scores = self._retriever.retrieve([query], k=k, show_progress=False, n_threads=1)
        return [Hit(self.ids[int(i)], float(s)) for i, s in zip(docs[0], scores[0], strict=True) if float(s) > 0.0]

    def _search_within(self, query: list[str], k: int, only: Sequence[int]) -> list[Hit]:
        """Score every document once, then rank only the positions of the `only` ids.

        bm25s's own weight mask ranks all documents under the mask, several times slower at a
        million documents than taking the scores of the few thousand allowed ones.
        """
        import numpy

        token_ids = self._retriever.get_tokens_ids(query)
        wanted = numpy.unique(numpy.asarray(list(only), dtype=numpy.int64))
        if not token_ids or not len(wanted):
            return []
        hits_at = self._positions(wanted)
        if not len(hits_at):
            return []
        with self._lock:
            scores = self._retriever.get_scores(token_ids)
        allowed = scores[hits_at]
        k = min(k, len(allowed))
        best = numpy.argpartition(-allowed, k - 1)[:k]
        best = best[numpy.argsort(-allowed[best], kind="stable")]
        return [Hit(self.ids[int(hits_at[i])], float(allowed[i])) for i in best if float(allowed[i]) > 0.0]

    def _positions(self, wanted: Any) -> Any:
        """Return the index positions of the ids in `wanted` (sorted, unique) that the index holds."""
        import numpy

        at = numpy.searchsorted(self._sorted_ids, wanted)
        inside = at < len(self._sorted_ids)
        at, wanted = at[inside], wanted[inside]
        held = self._sorted_ids[at] == wanted
        return self._by_id[at[held]]

"""jieba tokenisation with the government-term user dictionary, shared with the Rasa pipeline."""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

import jieba

jieba.setLogLevel(logging.WARNING)

STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 么 嘛 哦 哈 是 在 我 你 他 她 它 我们 你们 他们 咱 咱们 这 那 这个 那个 这些 那些 "
    "和 与 或 及 跟 把 被 给 让 就 都 也 还 又 很 太 要 想 能 会 可以 可不可以 能不能 有没有 是不是 一下 "
    "怎么 怎样 怎么样 如何 什么 啥 哪 哪里 哪儿 多少 几 咋 咋整 请问 请 问 一个 个 有 没有 没 不 "
    "老 自己 家 里 上 下 去 来 到 从 对 为 为了 得 地 着 过 该 应该 需要 需不需要 一些 些 现在 今天".split()
)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_FUNCTION_CHARS = frozenset("的了吗呢吧啊呀么嘛哦我你他她它这那咋啥哪怎什谁些个么要想能会可就都也还又很")
_TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff]")
_lock = threading.Lock()


class GovTokenizer:
    """Segments Chinese text with jieba plus the project's user dictionary.

    ``tokenize`` returns search-mode words (fine-grained sub-words included) without stop words,
    followed by CJK character bigrams, which make lexical matching tolerant of one-character typos.
    """

    def __init__(self, dictionary_dir: Path | None = None, bigrams: bool = True):
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        self.bigrams = bigrams
        # word -> part-of-speech tag of the user dictionary. jieba hands these to the first part-of-speech tagger
        # that cuts and then forgets them, so each tagger takes them from here (see ``SubjectExtractor``).
        self.user_tags: dict[str, str] = {}
        if dictionary_dir is not None and dictionary_dir.is_dir():
            for path in sorted(dictionary_dir.glob("*.txt")):
                self._jieba.load_userdict(str(path))
                self.user_tags.update(_tags_of(path))

    @property
    def jieba_tokenizer(self) -> jieba.Tokenizer:
        """The underlying jieba tokenizer with the user dictionary loaded (e.g. for part-of-speech tagging)."""
        return self._jieba

    def words(self, text: str) -> list[str]:
        """Plain jieba words (precise mode), whitespace dropped."""
        with _lock:
            return [w for w in self._jieba.lcut(text) if w.strip()]

    def is_word(self, text: str) -> bool:
        """Whether jieba's dictionary (with the user dictionary) lists ``text`` as a word."""
        return self._jieba.FREQ.get(text, 0) > 0

    def log_probability(self, text: str) -> float:
        """The log-probability of ``text``'s likeliest segmentation under jieba's word frequencies (its unigram
        model): how plausible the text is as written."""
        route: dict[int, tuple[float, int]] = {}
        with _lock:
            self._jieba.calc(text, self._jieba.get_DAG(text), route)
        return route[0][0] if text else 0.0

    def tokenize(self, text: str) -> list[str]:
        """Lexical tokens for BM25 (cached: index builds re-tokenise mostly unchanged chunks)."""
        return list(self._tokenize(text))

    @lru_cache(maxsize=50_000)  # noqa: B019 - one tokenizer per dictionary lives for the whole process
    def _tokenize(self, text: str) -> tuple[str, ...]:
        lowered = text.lower()
        with _lock:
            words = self._jieba.lcut_for_search(lowered)
        tokens = [w for w in words if w.strip() and w not in STOPWORDS and _TOKEN_OK.search(w)]
        if self.bigrams:
            for run in _CJK_RUN.findall(lowered):
                pairs = (run[i : i + 2] for i in range(len(run) - 1))
                tokens.extend("#" + p for p in pairs if not _FUNCTION_CHARS.intersection(p))
        return tuple(tokens)


def _tags_of(path: Path) -> dict[str, str]:
    """The tags of a jieba user dictionary (lines ``word [freq] [tag]``)."""
    tags = {}
    for line in path.read_text("utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            tags[parts[0]] = parts[2]
    return tags


@lru_cache(maxsize=4)
def get_tokenizer(dictionary_dir: Path | None = None) -> GovTokenizer:
    """A shared tokenizer per dictionary folder (loading jieba takes about a second)."""
    return GovTokenizer(dictionary_dir)

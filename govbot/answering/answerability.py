"""Honest scope: does the best document actually cover what was asked, or should the assistant decline?

The question's salient terms come from jieba (part of speech, IDF from jieba's own dictionary) without
question cues, generic government words, the city name and words jieba glued to a modal or a particle ("能管");
adjacent nouns form noun runs ("退役军人优待证"). A term is held by a document when it appears in its title,
aliases, keywords (the head) or body, as a whole, as the dictionary parts of a compound, through the synonym
table, or misspelt by one character (next to an unchanged neighbour, or inside a long unknown word). A small
logistic model over the ranking's confidence and these coverage features (fitted on the dev split) decides.
Four cases are always declined: a service named in full (游艇驾驶证, 药品经营许可证, or a service verb such as
转学) that the document lacks and no document's head lists; a named service missing a rare modifier; and a
service of the city's catalogue (knowledge/service_catalogue.tsv) that no guide covers, named by the question
when the document lacks it or mentions it only in passing while nothing else the question names is in the
document's head ("残保金咋申报", "建设工程规划许可证怎么申请"). A fourth: an operation that is a service of its
own (补领, 变更, 注销, 离婚, 转学… see :mod:`govbot.answering.operations`) which the document never mentions
("营业执照丢了怎么补办" is not the business-licence guide's), unless the document's own service is named after it
(the operation is then the story: "想离婚，能申请法律援助吗"). Conversely a question naming the document's own
service, a catalogue service one of whose names its head lists ("高企资格认下来能管多久"), is answered whatever
the model says. When it also names a service the document lacks, it is answered only if it asks about the
document's service in the document's own words and the other is no variant of it ("考教师资格要开无犯罪证明" is
answered, "残疾军人证怎么申领" is not). The subject named in a decline is that service, else the noun run of the
rarest term the document's head lacks. A catalogue service without a guide that the question describes rather
than names is found by meaning (:mod:`govbot.answering.catalogue_neighbours`, ``described_unheld_service``).
Personal cases ("我的低保申请到哪一步了") are handed to a person, who can look at the case: no guide answers them.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba.analyse
import jieba.posseg
import numpy as np

from govbot.answering.catalogue_neighbours import CatalogueNeighbours
from govbot.answering.operations import AskedOperation, asked_operations, offers
from govbot.answering.personal_case import personal_case
from govbot.answering.service_names import NamedService, ServiceNames
from govbot.security.message_limit import MAX_MESSAGE_CHARS
from index.confidence import ConfidencePolicy
from index.embedder import Embedder
from index.fusion import FusionWeights
from index.synonyms import variants
from index.tokenizer import GovTokenizer
from knowledge.service_catalogue import CatalogueEntry

COVERED, NOT_COVERED, PERSONAL_CASE = "covered", "not_covered", "personal_case"
SUBJECT, MATERIAL = "subject", "material"  # how a question names a document's service (Answerability.service_role)
# Just before a service's name, words that make it something to bring, had or lacked ("要交结婚证", "拿了稳岗返还",
# "没扯结婚证"): a condition of the question, not what it asks about.
_AS_MATERIAL = re.compile(r"(?:交|带|提供|出示|拿了|拿到|领了|有了|已经有|凭|附|要|没有?(?:领|办|扯)?)$")
IDF_FILE = Path(jieba.analyse.__file__).with_name("idf.txt")

# Parts of speech that can carry what a question is about: nouns, names, idioms, noun-verbs, foreign words.
_SALIENT_POS = ("n", "v", "l", "j", "i", "eng", "a")
# Cue, filler and generic government words: they say how or where, never which service.
_GENERIC = frozenset(
    """
    多少 多少钱 钱 费用 收费 价格 几天 多久 时间 时候 期限 有效期 怎么办 怎么 咋办 咋整 在哪 在哪儿
    哪里 地方 地点 窗口 需要 要求 条件 材料 资料 手续 流程 程序 步骤 申请 申办 申领 办理 办 办事 补办
    补 换 领 领取 去 弄 搞 整 开 交 查 查询 可以 能 能够 应该 必须 得 想 打算 准备 知道 了解 咨询 请问
    问问 问 告诉 帮 帮忙 一下 下 您好 你好 同志 谢谢 麻烦 示例 示例市 本市 市里 我市 政府 部门 单位
    机关 相关 有关 问题 情况 事情 事 东西 事儿 方面 内容 政策 规定 文件 指南 服务 网上 线上 线下 现场
    本人 自己 家里 家人 朋友 人 现在 今年 明年 去年 马上 之前 以后 还是 一般 具体 所有 全部 哪些 什么
    多 少 好 行 对 大概 是否 有没有 能不能 可不可以 会不会 要不要 用 带 拿 准备 提供 提交 证件 证 卡 本
    表 号 年 月 天 年龄 岁数 多大 几岁 地址 电话 年限 一共 总共 最长 最短 最多 最少 最高 最低 额度 金额 标准 比例
    """.split()
)
# How names of services, documents and benefits end: a noun run ending so names a service (游艇驾驶证, 公租房).
SERVICE_SUFFIXES = tuple(
    "证 证书 证明 卡 照 许可 登记 备案 认定 保险 补贴 津贴 补助 救助 贷款 "
    "房 资格 签注 审批 鉴定 仲裁 公证 转移 变更 注销 年检 保障金 奖励 手续".split()
)
_CUE_WORDS = frozenset(
    "怎么办 怎么样 怎么弄 咋办 咋弄 没了 丢了 掉了 坏了 过期 到期 多长时间 多长 上回 上次 一般"
    " 一条条 一件件 一样样 一步步 前前后后 全套 整套 一整套".split()  # asking for a whole plan names no subject
)
_POLICY_CUES = ("补贴", "补助", "政策", "奖励", "津贴", "扶持", "优惠", "减免", "奖补", "资助", "贴息", "待遇")
_CJK = re.compile(r"[\u4e00-\u9fff]")
VERB_MIN_IDF = 9.0
MAX_CONFIDENCE_SHIFT = 0.05  # a recalibration moving any confidence by more needs the scope rule refitted
SCOPE_RULE_STALE = (
    "知识库重新校准后，检索置信度与答复范围判断拟合时相差较大，拒答与作答的界线可能已偏移："
    "请技术人员运行 python -m benchmarks.answers --fit 重新拟合。"
)
# Verbs that are themselves the name of a service (办离婚, 转学, 落户): never ordinary, and a document that lacks
# one does not offer that service.
SERVICE_VERBS = frozenset(
    "离婚 结婚 收养 落户 转学 过户 抵押 解押 公证 仲裁 复议 起诉 上牌 年审 退役 入伍 殡葬 火化".split()
)
NAMED_SERVICE_MIN_CHARS = 4
LONG_TYPO_CHARS = 4
MAX_SUBJECT_CHARS = 20  # the longest subject a decline names (退役士兵自主就业一次性经济补助 has 14)
# A modal before a verb or a particle after a word ("能管", "得用", "领的", "住院时"): jieba glues them into
# unknown words or verbs that name nothing, so they never stand for the question's subject.
# Single-character verbs that jieba sometimes tags as nouns ("交" of "要交无犯罪证明"): they start no noun run.
_ACTION_CHARS = frozenset("交带办开领换补拿考给要")
# Characters that jieba glues to a neighbouring word ("厂想", "证上", "社发"): a two-character subject holding one is
# no name.
_STRAY_CHARS = frozenset("想要能会可该得上下里中发算过着了的吗呢吧时就也还都")
_GLUED_FUNCTION = re.compile(r"^[能得要会想可该]|[的了着过吗呢吧时]$")


@dataclass(frozen=True)
class Term:
    """A salient word of the question: its IDF, whether jieba knows it, its noun run and its neighbours."""

    word: str
    idf: float
    known: bool
    run: str
    left: str = ""
    right: str = ""
    parts: tuple[str, ...] = ()  # dictionary sub-words of a compound (养老金资格认证: 养老金, 资格, 认证…)


@dataclass(frozen=True)
class Features:
    """What the decision looks at for one question and one document."""

    confidence: float  # the ranking's calibrated confidence in the document
    coverage: float  # IDF-weighted share of the question's terms the document holds anywhere
    head_coverage: float  # ... in its title, aliases or keywords
    missing_known_idf: float  # the IDF of the rarest dictionary word the document lacks (0 if none)
    missing_unknown_idf: float  # the same for words jieba does not know (typos, new compounds)
    subject_in_head: float  # 1 when the noun run of the question's rarest term is in the title, aliases or keywords
    modifier_missing: float  # IDF/10 of a missing term whose noun run the document otherwise holds (游艇+驾驶证)
    length: float  # how many salient terms the question has, /10 (long stories mention much beside the service)
    service_missing: float  # 1 when the question names a service (a run like 游艇驾驶证) the document lacks a part of
    service_outside_head: float  # 1 when such a named service is only mentioned in passing (公租房 in a body)
    named_service_missing: bool = False  # a service named in full (游艇驾驶证, 劳动仲裁) the document lacks a part of

    def vector(self) -> tuple[float, ...]:
        return (
            self.confidence,
            self.coverage,
            self.head_coverage,
            self.missing_known_idf / 10,
            self.missing_unknown_idf / 10,
            self.subject_in_head,
            self.modifier_missing,
            self.length,
            self.service_missing,
            self.service_outside_head,
        )


@dataclass(frozen=True)
class Verdict:
    """Whether to answer from a document; when not, why and what was not found."""

    answerable: bool
    reason: str
    missing_subject: str | None = None
    probability: float = 1.0


@dataclass(frozen=True)
class ScopeRule:
    """A logistic model over :class:`Features` and the probability below which the assistant declines.

    Fitted on the dev split with ``python -m benchmarks.answers --fit`` (weights: bias, then one per feature),
    against the self-calibrated confidence of index/calibration.py, whose figures it keeps in ``fitted_on``
    (BM25 weight, saturation, confidence centre and scale). A knowledge base that recalibrates far from them
    (:meth:`fits`) needs the rule refitted: the same fused score then means another confidence.
    """

    weights: tuple[float, ...] = (-1.9, 5.134, 0.558, 0.744, 0.081, 0.644, 1.526, -1.049, 1.388, -0.605, -0.825)
    threshold: float = 0.73
    modifier_veto: float = 12.0  # decline whenever a named service lacks a modifier at least this rare (IDF)
    # Two documents too close to call by ranking: answer from the first when the model is this sure of it and
    # its log-odds for it exceed those for the second by ``resolve_gap`` (set on the dev split).
    resolve_floor: float = 0.85
    resolve_gap: float = 1.0
    fitted_on: tuple[float, float, float, float] = (0.08, 16.0, 0.93714, 0.02285)
    # A question nearer by embedding to a catalogue service without a guide than to every one some guide covers, by
    # this much (cosine), is about that service (see :mod:`govbot.answering.catalogue_neighbours`; set on dev).
    unheld_margin: float = 0.02

    def fits(self, weights: FusionWeights, policy: ConfidencePolicy) -> bool:
        """Whether the index's fusion and confidence calibration are (nearly) those the rule was fitted on: the
        same fusion, and confidences within :data:`MAX_CONFIDENCE_SHIFT` over the scores that matter."""
        bm25, saturation, center, scale = self.fitted_on
        if not (math.isclose(weights.bm25, bm25, abs_tol=1e-6) and math.isclose(weights.bm25_saturation, saturation)):
            return False
        reference = replace(policy, center=center, scale=scale)
        scores = [center + scale * k / 4 for k in range(-16, 17)]  # four scales either side of the centre
        return all(abs(policy.confidence(s) - reference.confidence(s)) <= MAX_CONFIDENCE_SHIFT for s in scores)

    def vetoes(self, features: Features) -> bool:
        """A named service lacks a modifier rare enough (游艇 of 游艇驾驶证) to decline whatever the model says."""
        return bool(features.service_missing) and features.modifier_missing * 10 >= self.modifier_veto

    def answers(self, features: Features) -> bool:
        if self.vetoes(features):
            return False
        if features.named_service_missing:
            return False
        return self.probability(features) >= self.threshold

    def resolves(self, first: float, second: float) -> bool:
        """Whether probabilities ``first`` and ``second`` of two close documents single out the first."""
        return first >= self.resolve_floor and _log_odds(first) - _log_odds(second) >= self.resolve_gap

    def probability(self, features: Features) -> float:
        bias, *rest = self.weights
        z = bias + sum(w * x for w, x in zip(rest, features.vector(), strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _log_odds(probability: float) -> float:
    clipped = min(max(probability, 1e-9), 1 - 1e-9)
    return math.log(clipped / (1 - clipped))


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=1)
def _idf_table() -> tuple[dict[str, float], float]:
    table: dict[str, float] = {}
    with open(IDF_FILE, encoding="utf-8") as handle:
        for line in handle:
            word, _, value = line.strip().partition(" ")
            if value:
                table[word] = float(value)
    return table, statistics.median(table.values())


def policy_like(question: str) -> bool:
    """Questions about money or support from the government are about a policy, not a service guide."""
    return any(cue in question for cue in _POLICY_CUES)


class SubjectExtractor:
    """Salient terms of a question, with jieba's part-of-speech tagger over the government dictionary."""

    def __init__(self, tokenizer: GovTokenizer):
        self._jieba = tokenizer.jieba_tokenizer
        self._tagger = jieba.posseg.POSTokenizer(self._jieba)
        self._tagger.word_tag_tab.update(tokenizer.user_tags)  # whichever tagger jieba handed them to first
        self._idf, self._median_idf = _idf_table()

    def terms(self, question: str) -> list[Term]:
        """Salient words in question order, each with the noun run it belongs to (of the first
        :data:`MAX_MESSAGE_CHARS` characters: part-of-speech tagging is slow on long text)."""
        return list(self._terms(_normalise(question)[:MAX_MESSAGE_CHARS]))

    @lru_cache(maxsize=2048)  # noqa: B019 - one extractor per answerer lives for the whole process
    def _terms(self, text: str) -> tuple[Term, ...]:
        runs: list[list[tuple[str, str]]] = []
        previous_noun = False
        for word, flag in self._tagger.lcut(text):
            if not word.strip():
                previous_noun = False
                continue
            noun = self._nounish(flag) and word not in _ACTION_CHARS
            if noun and previous_noun:
                runs[-1].append((word, flag))
            else:
                runs.append([(word, flag)])
            previous_noun = noun
        terms = []
        for run in runs:
            run_text = "".join(w for w, f in run if w not in _GENERIC and w not in _CUE_WORDS and not self._glued(w, f))
            for word, flag in self._join_singles(run):
                if word in _GENERIC or word in _CUE_WORDS or len(word) < 2 or not flag.startswith(_SALIENT_POS):
                    continue
                ordinary = word not in SERVICE_VERBS and self._idf.get(word, 0.0) < VERB_MIN_IDF
                if flag.startswith("v") and flag != "vn" and ordinary:
                    continue  # ordinary verbs (考, 丢, 掉) tell what happened, not which service
                if self._glued(word, flag):
                    continue
                known = word in self._idf  # the project dictionary also lists common misspellings (身分证)
                at = text.find(word)
                left, right = text[max(0, at - 1) : max(0, at)], text[at + len(word) : at + len(word) + 1]
                parts = tuple(p for p in self._jieba.cut_for_search(word) if 2 <= len(p) < len(word))
                idf = self._idf.get(word, self._median_idf)
                terms.append(Term(word, idf, known, run_text or word, left, right, parts))
        return tuple(terms)

    def nameable(self, subject: str) -> str | None:
        """A subject worth naming back to the citizen: Chinese words, not a string of keyboard letters, no longer
        than a service's name (a run of repeated words is no name to echo back), and whole words: not a lone
        character, nor a word with a modal or particle jieba glued to its edge ("厂想", "证上", "社发")."""
        if not _CJK.search(subject) or not 2 <= len(subject) <= MAX_SUBJECT_CHARS:
            return None
        if subject in SERVICE_VERBS:
            return subject
        pieces = self._jieba.lcut(subject, HMM=False)
        if len(pieces) == len(subject) == 2:  # two lone characters: a word jieba lacks (车贷) or a glued one (厂想)
            return None if _STRAY_CHARS.intersection(subject) else subject
        return None if _STRAY_CHARS.intersection((pieces[0], pieces[-1])) else subject

    def rarest_nameable(self, terms: list[Term]) -> str | None:
        """The noun run of the rarest term whose run is worth naming (:meth:`nameable`), if any."""
        ranked = sorted(terms, key=lambda t: t.idf, reverse=True)  # stable: of equally rare terms, the first said
        return next((name for t in ranked if (name := self.nameable(t.run))), None)

    def _glued(self, word: str, flag: str) -> bool:
        """A modal or a particle jieba glued to a word ("能管", "领的", "住院时"): it names nothing."""
        return (word not in self._idf or flag.startswith("v")) and bool(_GLUED_FUNCTION.search(word))

    @staticmethod
    def _join_singles(run: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Single-character nouns join a neighbour in their run: "公"+"租房" → "公租房", "优代"+"证" → "优代证"."""
        joined: list[tuple[str, str]] = []
        prefix = ""
        for word, flag in run:
            single = len(word) == 1 and bool(_CJK.match(word))
            if single and len(run) > 1 and joined and joined[-1][0] not in _GENERIC:
                joined[-1] = (joined[-1][0] + word, joined[-1][1])
            elif single and len(run) > 1 and not joined:
                prefix += word
            else:
                joined.append((prefix + word, flag))
                prefix = ""
        if prefix:
            joined.append((prefix, run[-1][1]))
        return joined

    @staticmethod
    def _nounish(flag: str) -> bool:
        return flag.startswith(("n", "l", "j", "eng")) or flag == "vn"


def _near(term: Term, text: str) -> bool:
    """A misspelt word: in ``text`` with one of its own characters different and a neighbour unchanged."""
    size = len(term.word)
    for context, before in ((term.left, True), (term.right, False)):
        if not _CJK.match(context or " "):
            continue
        for i in range(size):
            variant = term.word[:i] + "." + term.word[i + 1 :]
            pattern = re.escape(context) + _escape_dot(variant) if before else _escape_dot(variant) + re.escape(context)
            if re.search(pattern, text):
                return True
    return False


def _one_off(word: str, text: str) -> bool:
    """``word`` in ``text`` with one of its inner Chinese characters replaced by another (an edge one would make
    another word: 居住证明 is not 居住证签)."""
    return any(
        re.search(re.escape(word[:i]) + _CJK.pattern + re.escape(word[i + 1 :]), text) for i in range(1, len(word) - 1)
    )


def _parts_in(term: Term, text: str) -> bool:
    """Every character of a compound covered by its dictionary sub-words found in ``text``."""
    covered = [False] * len(term.word)
    for part in term.parts:
        if part in text:
            at = term.word.find(part)
            covered[at : at + len(part)] = [True] * len(part)
    return bool(term.parts) and all(covered)


def _escape_dot(variant: str) -> str:
    return ".".join(re.escape(part) for part in variant.split("."))


def document_texts(record: dict[str, Any]) -> tuple[str, str]:
    """A document's head (title, aliases, keywords) and its whole text, normalised."""
    head = "\n".join(str(p) for p in _own_names(record))
    body = "\n".join(s.get("text", "") for s in record.get("sections", []))
    return _normalise(head), _normalise(head + "\n" + body)


class Answerability:
    """Judges whether a document answers a question (see the module docstring)."""

    def __init__(
        self,
        tokenizer: GovTokenizer,
        rule: ScopeRule | None = None,
        catalogue: Callable[[], tuple[str, Mapping[str, dict[str, Any]]]] | None = None,
        services: Iterable[CatalogueEntry] = (),
        embedder: Embedder | None = None,
    ):
        """``catalogue`` returns the served version and its documents (``Searcher.data``): a service named in
        full that is some other document's title, alias or keyword ("医保" in "养老金医保社保卡") is a service
        the knowledge base holds, listed, not one it lacks. ``services`` are the city's service catalogue;
        ``embedder`` embeds the questions, for services described rather than named (none without it)."""
        self.extractor = SubjectExtractor(tokenizer)
        self.rule = rule or ScopeRule()
        self._catalogue = catalogue
        services = tuple(services)
        self._services = ServiceNames(services)
        self._neighbours = CatalogueNeighbours(services, embedder) if embedder else None
        self._texts: dict[tuple[str, str, str], tuple[str, str]] = {}
        self._heads: tuple[str, str] = ("", "")
        self._coverage: tuple[str, dict[str, bool]] = ("", {})
        self._mask: tuple[str, np.ndarray] = ("", np.zeros(0, dtype=bool))

    def texts_of(self, version: str, record: dict[str, Any]) -> tuple[str, str]:
        key = (version, record["id"], record.get("scope", "own"))
        if key not in self._texts:
            if len(self._texts) > 5000:
                self._texts.clear()
            self._texts[key] = document_texts(record)
        return self._texts[key]

    @staticmethod
    def holds(term: Term, text: str) -> bool:
        """Whether ``text`` holds the term, the parts of a compound, or a misspelling of it by one character
        (any unknown word; a known one of three or more characters, such as 身分证)."""
        if term.word in text or _parts_in(term, text) or any(v in text for v in variants(term.word)):
            return True
        if not term.known and len(term.word) >= LONG_TYPO_CHARS and _one_off(term.word, text):
            return True  # a long unknown word one character off a word of the text: a typo (港奥通行证)
        return (not term.known or len(term.word) >= 3) and _near(term, text)

    def features(self, terms: list[Term], record: dict[str, Any], confidence: float, version: str = "") -> Features:
        head, whole = self.texts_of(version, record)
        total = sum(t.idf for t in terms) or 1.0
        in_head = [self.holds(t, head) for t in terms]
        anywhere = [h or self.holds(t, whole) for t, h in zip(terms, in_head, strict=True)]
        missing = [t for t, ok in zip(terms, anywhere, strict=True) if not ok]
        rarest = max(range(len(terms)), key=lambda i: terms[i].idf) if terms else None
        held_runs = {t.run for t, ok in zip(terms, anywhere, strict=True) if ok}
        subject_run = terms[rarest].run if rarest is not None else None
        subject_held = all(h for t, h in zip(terms, in_head, strict=True) if t.run == subject_run)
        outside_head = [t for t, h, ok in zip(terms, in_head, anywhere, strict=True) if ok and not h]
        return Features(
            confidence=confidence,
            coverage=sum(t.idf for t, ok in zip(terms, anywhere, strict=True) if ok) / total if terms else 1.0,
            head_coverage=sum(t.idf for t, ok in zip(terms, in_head, strict=True) if ok) / total if terms else 1.0,
            missing_known_idf=max((t.idf for t in missing if t.known), default=0.0),
            missing_unknown_idf=max((t.idf for t in missing if not t.known), default=0.0),
            subject_in_head=1.0 if subject_held else 0.0,
            modifier_missing=max((t.idf / 10 for t in missing if t.run in held_runs), default=0.0),
            length=min(len(terms), 10) / 10,
            service_missing=1.0 if any(t.run.endswith(SERVICE_SUFFIXES) for t in missing) else 0.0,
            service_outside_head=1.0 if any(t.run.endswith(SERVICE_SUFFIXES) for t in outside_head) else 0.0,
            named_service_missing=self._names_unlisted_service(missing),
        )

    def judge(self, question: str, record: dict[str, Any], confidence: float, version: str = "") -> Verdict:
        """Answer from ``record`` or not; ``confidence`` is the ranking's calibrated confidence in it."""
        terms = self.extractor.terms(question)
        features = self.features(terms, record, confidence, version)
        probability = self.rule.probability(features)
        if (declined := self.judge_named(question, record, version)) is not None:
            return replace(declined, probability=probability)
        _, named = self._named(question)
        if not self.rule.answers(features) and not self._names_its_service(
            question, named, terms, record, version, features
        ):
            return Verdict(False, NOT_COVERED, self.missing_subject(terms, record, version), probability)
        return Verdict(True, COVERED, probability=probability)

    def judge_named(self, question: str, record: dict[str, Any], version: str = "") -> Verdict | None:
        """The declines that need no ranking: a personal case, a catalogue service without a guide that
        ``record`` does not answer, an operation it never mentions; None when none applies. A follow-up on the
        conversation's topic ("临时救助呢" after 低保) is judged by these alone."""
        if personal_case(question):
            return Verdict(False, PERSONAL_CASE)
        terms = self.extractor.terms(question)
        text, named = self._named(question)
        if unheld := self._unheld_service(text, named, terms, record, version):
            return Verdict(False, NOT_COVERED, unheld.text)
        if (operation := self._missing_operation(text, record, version)) and not self._asked_after(
            operation, named, record, version
        ):
            head, _ = self.texts_of(version, record)
            return Verdict(False, NOT_COVERED, _operation_subject(text, operation, terms, head))
        return None

    @lru_cache(maxsize=1024)  # noqa: B019 - one answer asks for up to five checks; one answerer per process
    def _named(self, question: str) -> tuple[str, tuple[NamedService, ...]]:
        """The question as the scope check reads it (normalised, its first :data:`MAX_MESSAGE_CHARS` characters)
        and the catalogue services it names."""
        text = _normalise(question)[:MAX_MESSAGE_CHARS]
        return text, tuple(self._services.named(text))

    def _names_its_service(
        self,
        question: str,
        named: tuple[NamedService, ...],
        terms: list[Term],
        record: dict[str, Any],
        version: str,
        features: Features,
    ) -> bool:
        """The question names the document's own service, a catalogue service one of whose names its head lists
        ("高企" for the high-tech enterprise guide, "准迁证" of 户口迁移 for the hukou transfer guide), and no
        service the document lacks: it asks about that service."""
        if self.rule.vetoes(features):
            return False
        head, whole = self.texts_of(version, record)
        own = [name for service in named for name in service.entry.names if name in head]
        if not own:
            return False
        if not features.named_service_missing:
            return True
        # Another service named beside it (考教师资格要开无犯罪证明, 想离婚…申请法律援助) is the story's, when the
        # question asks about the document's own service and the other is no variant of it (游艇驾驶证, 残疾军人证).
        # The question's own words for its service must be the document's ("评残" of a catalogue entry that also
        # lists 残疾军人证 is no reason to answer "残疾军人证怎么申领" from the disability card's guide).
        said = [service.text for service in named if service.text in head]
        others = [t.run for t in terms if _names_service(t.run) and not self.holds(t, whole)]
        return (
            bool(said)
            and self.service_role(question, record, version) == SUBJECT
            and not any(_within(name, run) for run in others for name in said)
        )

    def service_role(self, question: str, record: dict[str, Any], version: str = "") -> str | None:
        """How the question names the document's own services (catalogue services one of whose names its head
        lists): ``subject`` when once at least as what it asks about, ``material`` when only as something to
        bring or already had ("上户口还要交结婚证吗" of the marriage licence), None when not at all."""
        text, named = self._named(question)
        head, _ = self.texts_of(version, record)
        own = [n for n in named if any(name in head for name in n.entry.names)]
        if not own:
            return None
        return MATERIAL if all(_AS_MATERIAL.search(text[: n.start]) for n in own) else SUBJECT

    def asks_leaders_service(
        self, question: str, record: dict[str, Any], leader: dict[str, Any], version: str = ""
    ) -> bool:
        """The question asks about a catalogue service that ``leader`` (the best document of all) lists in its
        head and ``record`` (an event's scope) does not, and about none that ``record`` lists ("想贷创业担保贷款，
        要准备啥" names a loan that is no step of losing one's job)."""
        text, named = self._named(question)
        head, _ = self.texts_of(version, record)
        leader_head, _ = self.texts_of(version, leader)
        asked = [n.entry.names for n in named if not _AS_MATERIAL.search(text[: n.start])]
        in_leader = any(name in leader_head for names in asked for name in names)
        return in_leader and not any(name in head for names in asked for name in names)

    def _unheld_service(
        self, text: str, named: tuple[NamedService, ...], terms: list[Term], record: dict[str, Any], version: str
    ) -> NamedService | None:
        """A catalogue service that no guide covers, named in ``text``, which ``record`` does not answer: the
        document lacks it, or mentions it only in its body (a material, a prerequisite) while nothing else the
        question names is in its head ("建设工程规划许可证怎么申请" is not the construction permit's guide)."""
        unheld = [n for n in named if not self._covered(n.entry)]
        unheld.sort(key=lambda n: len(n.text), reverse=True)  # "药品经营许可证", not the story's "开药店"
        if not unheld:
            return None
        head, whole = self.texts_of(version, record)
        # A service of the document's own named after it is what the question asks about; the earlier one is the
        # story's ("准备考公务员，失业保险也交了六年，能领失业金吗").
        asked = max((n.start for n in named if n not in unheld and n.text in head), default=-1)
        for service in unheld:
            if service.end <= asked:
                continue
            if not any(name in whole for name in service.entry.names):
                return service
        inside = [(n.start, n.end) for n in unheld]
        others = [t for t in terms if not any(start <= text.find(t.word) < end for start, end in inside)]
        if any(self.holds(t, head) for t in others) or any(n.text in head for n in named if n not in unheld):
            return None
        return unheld[0]

    def warm_up(self, records: Iterable[dict[str, Any]] = ()) -> None:
        """Embed the catalogue and these documents' names now rather than at the first questions."""
        if self._neighbours is not None:
            self._neighbours.vectors()
            self._neighbours.names_vectors([_own_names(record) for record in records])

    def described_unheld_service(
        self, question: str, vector: np.ndarray, record: dict[str, Any], version: str = ""
    ) -> CatalogueEntry | None:
        """A catalogue service no guide covers that the question (its embedding ``vector``) describes, by
        :class:`CatalogueNeighbours`, nearer than ``record``'s own names, and which ``record`` never names
        ("开农资店卖农药要什么许可" is not the food business licence's)."""
        if self._neighbours is None:
            return None
        covered = self._covered_mask(self._neighbours.entries)
        entry = self._neighbours.nearest_unheld(vector, covered, self.rule.unheld_margin, _own_names(record))
        if entry is None:
            return None
        _, whole = self.texts_of(version, record)
        names = [_normalise(name) for name in entry.names]
        if any(name in whole for name in names):
            return None
        # The words the question shares with the service's names are all the document's: it covers what was asked
        # ("个体工商户年度报告什么时间报" of the sole-trader guide, nearest the unheld 企业年度报告公示).
        shared = [t for t in self.extractor.terms(question) if any(t.word in name for name in names)]
        return None if shared and all(self.holds(t, whole) for t in shared) else entry

    def lacks_operation(self, question: str, record: dict[str, Any], version: str = "") -> bool:
        """The question asks for an operation (补领, 变更, 离婚…) that ``record`` never mentions."""
        text, _ = self._named(question)
        return self._missing_operation(text, record, version) is not None

    def _missing_operation(self, text: str, record: dict[str, Any], version: str) -> AskedOperation | None:
        """An operation the question asks for (补领, 变更, 离婚…) that the document never mentions."""
        _, whole = self.texts_of(version, record)
        return next((op for op in asked_operations(text) if not offers(op.name, whole)), None)

    def _asked_after(
        self, operation: AskedOperation, named: tuple[NamedService, ...], record: dict[str, Any], version: str
    ) -> bool:
        """The question names the document's own service after the operation: the operation is its story ("想离婚
        争取孩子，还能申请法律援助吗"), the service what it asks about."""
        head, _ = self.texts_of(version, record)
        return any(n.start >= operation.end and any(name in head for name in n.entry.names) for n in named)

    def _covered_mask(self, entries: tuple[CatalogueEntry, ...]) -> np.ndarray:
        """Per entry, whether some guide covers it (the neighbours' entries; cached per served version)."""
        self._all_heads()
        if self._mask[0] != self._heads[0]:
            self._mask = (self._heads[0], np.array([self._covered(entry) for entry in entries], dtype=bool))
        return self._mask[1]

    def _covered(self, entry: CatalogueEntry) -> bool:
        """Whether some document's title, aliases or keywords name the service (cached per served version)."""
        heads = self._all_heads()
        if self._coverage[0] != self._heads[0]:
            self._coverage = (self._heads[0], {})
        known = self._coverage[1]
        if entry.name not in known:
            known[entry.name] = any(name in heads for name in entry.names)
        return known[entry.name]

    def probability(self, question: str, record: dict[str, Any], confidence: float, version: str = "") -> float:
        """The model's probability that ``record`` answers the question (personal cases aside)."""
        terms = self.extractor.terms(question)
        return self.rule.probability(self.features(terms, record, confidence, version))

    def _names_unlisted_service(self, missing: list[Term]) -> bool:
        """A missing term whose run names a service in full that no document's head lists."""
        named = [t for t in missing if _names_service(t.run)]
        return bool(named) and any(not self.holds(t, self._all_heads()) for t in named)

    def names_service(self, text: str) -> bool:
        """Whether ``text`` is the name of a service: of the city's catalogue, or a document's title, alias or
        keyword."""
        name = _normalise(text).strip()
        return bool(self._services.named(name)) or f"\n{name}\n" in f"\n{self._all_heads()}\n"

    def _all_heads(self) -> str:
        """Every document's title, aliases and keywords, for the served version."""
        if self._catalogue is None:
            return ""
        version, documents = self._catalogue()
        if self._heads[0] != version:
            self._heads = (version, "\n".join(document_texts(record)[0] for record in documents.values()))
        return self._heads[1]

    def lacks_named_service(self, question: str, record: dict[str, Any], version: str = "") -> bool:
        """The question names a service in full (药品经营许可证, 转学) that ``record`` lacks."""
        return self.features(self.extractor.terms(question), record, 0.0, version).named_service_missing

    def missing_subject(self, terms: list[Term], record: dict[str, Any], version: str = "") -> str | None:
        """What was not found, by name: a service the question names in full and the document lacks, else the
        noun run of the rarest term the document's head lacks."""
        head, whole = self.texts_of(version, record)
        named = [t.run for t in terms if _names_service(t.run) and not self.holds(t, whole)]
        if named and (subject := self.extractor.nameable(named[0])):
            return subject
        missing = [t for t in terms if not self.holds(t, head)] or terms
        return self.extractor.rarest_nameable(missing)

    def subject(self, question: str) -> str | None:
        """The question's main subject when no document is at hand: its rarest salient noun run."""
        terms = self.extractor.terms(question)
        return self.extractor.rarest_nameable(terms)


def _own_names(record: dict[str, Any]) -> tuple[str, ...]:
    """A document's title, aliases and keywords."""
    return (record.get("title", ""), *record.get("aliases", []), *record.get("keywords", []))


def _names_service(run: str) -> bool:
    """A service named in full: a noun run of four or more characters ending as service names end (游艇驾驶证,
    劳动仲裁, 经济适用房); shorter runs are verb-object words (买房, 办证, 刷卡) or a service's everyday name."""
    return run in SERVICE_VERBS or len(run) >= NAMED_SERVICE_MIN_CHARS and run.endswith(SERVICE_SUFFIXES)


def _within(name: str, run: str) -> bool:
    """Whether ``run`` holds the characters of ``name`` in order: a variant of it with a modifier before or inside
    ("游艇驾驶证" of 驾驶证, "残疾军人证" of 残疾证)."""
    rest = iter(run)
    return all(char in rest for char in name)


def _operation_subject(text: str, operation: AskedOperation, terms: list[Term], head: str) -> str:
    """What a decline for a missing operation names: the noun run that holds it ("企业名称变更"), else the
    operation on the last thing before it that the document is about ("营业执照" … "补领" → "营业执照补领"), else
    the operation alone ("转学" for "插班")."""
    said = text[operation.start : operation.end]
    holding = [t.run for t in terms if said in t.run and len(t.run) > len(said)]
    if holding:
        return max(holding, key=len)
    objects = [t.word for t in terms if text.find(t.word) < operation.start and t.word in head and _CJK.search(t.word)]
    return objects[-1] + operation.name if objects else operation.name

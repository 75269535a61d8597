"""An entity's timeline gives the reason of a delivery zhizhi withheld, as it does for one the platform refused."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import Web
from tests.delivery.platform import Platform
from tests.web.test_register_pages import delivered, province  # noqa: F401 (the platform fixture)
from zhizhi.store.tables import Delivery

WHY = "代码 611099 在目标代码表中没有唯一对应，待数据管理员决定"


def test_a_withheld_delivery_shows_its_reason_on_the_timeline(web: Web, province: Platform) -> None:  # noqa: F811
    huaxin = delivered(web, province)
    web.login_form("leader")
    records = [r["record_id"] for r in web.client.get(f"/api/entities/{huaxin}").json()["records"]]
    with web.sessions() as session, session.begin():
        spot = session.scalars(select(Delivery).where(Delivery.record_id.in_(records), Delivery.target == "spot")).one()
        spot.status, spot.last_error = "withheld", WHY
        spot_id = spot.id
    events = web.client.get(f"/api/entities/{huaxin}").json()["timeline"]
    (event,) = [e for e in events if e.get("delivery_id") == spot_id]
    assert event["status"] == "withheld" and event["reason"] == WHY and WHY in event["what_zh"]

"""The PKCS#11 signer's settings (no token here: only their parsing is tested) and the seal's picture."""

from __future__ import annotations

import io
import math

import pytest
from pdfminer.high_level import extract_text

from zhizhi.errors import ConfigError
from zhizhi.seals import Pkcs11Config, Pkcs11Signer, seal_image_pdf
from zhizhi.seals.image import RING_RADIUS_MM, ring_layout


def test_pkcs11_settings_take_defaults_for_what_is_optional() -> None:
    config = Pkcs11Config.parse(
        {"module": "/usr/lib/softhsm/libsofthsm2.so", "token_label": "LZ-SEAL", "key_label": "seal"}, "LZ.pkcs11.yaml"
    )
    assert config.cert_label == "seal" and config.pin_env == "ZHIZHI_SEAL_PIN"
    assert Pkcs11Signer(config).department_name == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({}, ["`module` is required", "`token_label` is required", "`key_label` is required"]),
        ({"module": "m", "token_label": "t", "key_label": 3}, ["`key_label` must be text"]),
        ({"module": "m", "token_label": "t", "key_label": "k", "pin": "1234"}, ["`pin` is not a setting"]),
    ],
)
def test_pkcs11_settings_name_every_problem(raw: dict[str, object], expected: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        Pkcs11Config.parse(raw, "LZ.pkcs11.yaml")
    assert caught.value.details == expected
    assert "LZ.pkcs11.yaml" in caught.value.message


def test_pkcs11_signer_without_a_pin_says_where_to_put_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZHIZHI_SEAL_PIN", raising=False)
    signer = Pkcs11Signer(Pkcs11Config.parse({"module": "m", "token_label": "t", "key_label": "k"}, "x"))
    with pytest.raises(ConfigError, match="ZHIZHI_SEAL_PIN|python-pkcs11"):
        signer.pyhanko_signer()


def test_the_seal_picture_carries_the_department_name() -> None:
    text = extract_text(io.BytesIO(seal_image_pdf("柳州市市场监督管理局")))
    for char in "柳州市市场监督管理局":
        assert char in text
    assert "电子印章" in text


def test_a_long_department_name_goes_round_the_seal_without_two_characters_overlapping() -> None:
    """A grassroots office's full name runs to thirty characters: spread wider, then narrowed, never crowded."""
    for count in range(2, 41):
        span, step, size_pt, stretching = ring_layout(count, RING_RADIUS_MM)
        width_mm = size_pt * 25.4 / 72 * stretching / 100
        arc_mm = RING_RADIUS_MM * math.radians(step)
        assert span <= 280 and width_mm < arc_mm, count  # each character narrower than its share of the arc
        assert size_pt >= 6.5 and (stretching == 100 or size_pt == 6.5), count  # smaller first, narrower last
    name = "广西壮族自治区柳州市鹿寨县市场监督管理局食品安全抽检监测中心"
    text = extract_text(io.BytesIO(seal_image_pdf(name)))
    assert all(char in text for char in name)

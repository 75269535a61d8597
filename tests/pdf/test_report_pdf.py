"""The report PDF: Chinese text drawn with the shipped font, read back by two extractors and rendered to PNG."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pdfminer.high_level import extract_text
from PIL import Image

from zhizhi.pdf import MISSING_MARK, covers, font_path, missing_characters, report_pdf

TITLE = "柳州市市场主体统计月报（2026年11月）"
ROWS = [["城中区", 1234, 56, 78901], ["柳北区", 88, None, 5], ["鹿寨县", 7, 3, 1020]]


def poppler(tool: str) -> str:
    """The path of a poppler tool; CI installs poppler-utils, so a missing one fails rather than skips."""
    path = shutil.which(tool)
    assert path, f"`{tool}` is not installed: apt-get install poppler-utils (.ci/run does)"
    return path


def render() -> bytes:
    return report_pdf(
        TITLE,
        ["报送单位：柳州市市场监督管理局", "数据截至 2026-11-30 24:00"],
        [
            ("一、按县区统计", ["县区", "新设", "注销", "存续"], ROWS),
            ("二、说明", ["项目", "内容"], [["口径", "含个体工商户"]]),
        ],
        "智治 zhizhi 自动生成",
        created=datetime(2026, 12, 1, tzinfo=UTC),
        author="柳州市市场监督管理局",
    )


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(render())
    return path


def test_pdfminer_reads_the_chinese_text_back(pdf_file: Path) -> None:
    text = extract_text(str(pdf_file))
    for expected in (
        TITLE,
        "报送单位：柳州市市场监督管理局",
        "一、按县区统计",
        "城中区",
        "1,234",
        "78,901",
        "含个体工商户",
    ):
        assert expected in text
    assert "第 1 页 / 共 1 页" in text


def test_pdftotext_reads_the_chinese_text_back(pdf_file: Path) -> None:
    out = subprocess.run([poppler("pdftotext"), "-layout", str(pdf_file), "-"], capture_output=True, check=True)
    text = out.stdout.decode("utf-8")
    assert TITLE in text and "鹿寨县" in text and "智治 zhizhi 自动生成" in text


def test_the_font_is_embedded_so_no_system_font_is_needed(pdf_file: Path) -> None:
    out = subprocess.run([poppler("pdffonts"), str(pdf_file)], capture_output=True, check=True, text=True)
    fonts = out.stdout.splitlines()[2:]
    assert fonts and all(" yes yes yes " in line for line in fonts), out.stdout


def test_pdftoppm_renders_the_title_in_ink(pdf_file: Path, tmp_path: Path) -> None:
    subprocess.run(
        [poppler("pdftoppm"), "-r", "72", "-png", "-singlefile", str(pdf_file), str(tmp_path / "p")], check=True
    )
    image = Image.open(tmp_path / "p.png").convert("L")
    assert image.size[1] == 842  # A4 at 72 dpi
    title_band = image.crop((60, 40, 535, 80))
    dark = sum(title_band.histogram()[:128])
    assert dark > 500, "the title rendered as blank: the CJK font is missing or not embedded"


def test_the_same_inputs_give_the_same_bytes() -> None:
    assert render() == render()


def test_the_shipped_font_covers_gbk_and_stays_small() -> None:
    hanzi = "".join(
        bytes([high, low]).decode("gb2312")
        for high in range(0xB0, 0xF8)
        for low in range(0xA1, 0xFF)
        if (high, low) < (0xD7, 0xFA)
    )
    assert len(hanzi) == 3755 + 0  # level 1 hanzi (rows 16-55)
    assert covers(hanzi + "ABCxyz0123，。、；：？！（）《》【】“”")
    assert missing_characters("柳州𠀀") == ["𠀀"]
    assert font_path().stat().st_size < 7_500_000  # GBK's 21,000 hanzi; a PDF embeds only the glyphs it uses
    assert (font_path().parent / "OFL.txt").exists()


def test_a_long_table_breaks_across_pages_and_leaves_room_for_the_seal() -> None:
    rows = [[f"第{i}行", i] for i in range(120)]
    data = report_pdf("长表", [], [("明细", ["行", "值"], rows)], "")
    text = extract_text(io.BytesIO(data))
    assert "第119行" in text and "共 " in text
    assert "第 3 页" in text or "第 4 页" in text


def test_names_with_gbk_characters_print_and_a_character_beyond_shows_a_mark() -> None:
    names = ["喆堃科技有限公司", "昇辉商行", "珺玥美容店", "赟彧餐饮", "𠮷野家快餐店"]
    assert missing_characters("".join(names)) == ["𠮷"]
    data = report_pdf("名称", [], [("明细", ["名称", "户数"], [[n, 1] for n in names])], "")
    text = extract_text(io.BytesIO(data))
    for name in names[:4]:
        assert name in text
    assert f"{MISSING_MARK}野家快餐店" in text  # never a silent blank where a character was


def test_a_wide_table_goes_landscape_with_each_figure_on_one_line(tmp_path: Path) -> None:
    from zhizhi.pdf.report import table_layout

    header = ["县区", "许可证种类", "主体业态", *(f"第{n}项指标" for n in range(30))]
    rows = [[county, "食品经营许可证", "餐饮服务经营者", *([12345] * 30)] for county in ("城中区", "鱼峰区")]
    pdf = report_pdf("宽表", [], [("", header, rows)], created=datetime(2026, 12, 1, tzinfo=UTC))
    (tmp_path / "wide.pdf").write_bytes(pdf)
    text = subprocess.run(
        [poppler("pdftotext"), "-layout", str(tmp_path / "wide.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert text.count("12,345") == 2 * 30  # not one digit a line
    from fpdf import FPDF

    from zhizhi.pdf.fonts import add_font

    probe = FPDF()
    add_font(probe)
    assert table_layout(probe, [("", header, rows)]).orientation == "landscape"
    assert table_layout(probe, [("", header[:5], [r[:5] for r in rows])]).orientation == "portrait"


def test_a_table_too_wide_for_any_page_is_refused_in_both_languages() -> None:
    from zhizhi.errors import ConfigError

    header = [f"第{n}项" for n in range(80)]
    with pytest.raises(ConfigError) as caught:
        report_pdf("太宽", [], [("", header, [[1234567] * 80])])
    assert "80 columns" in caught.value.message and caught.value.message_zh and "80 列" in caught.value.message_zh


@pytest.mark.parametrize("columns", [1, 14])
def test_a_label_too_long_for_a_page_is_cut_with_a_mark_rather_than_refused(columns: int) -> None:
    """A free-text group (a complaint's text) of thousands of characters, in a table of one measure or of many."""
    text = "我于11月在某超市购买的商品已过期，要求退款并依法处罚。" * 120 + "末尾"
    header = ["县区", "诉求内容", *(f"指标{n}" for n in range(columns))]
    rows = [["城中区", text, *range(columns)], ["鱼峰区", "短", *range(columns)]]
    data = report_pdf("诉求统计", [], [("", header, rows)])
    shown = extract_text(io.BytesIO(data)).replace("\n", "")
    assert "我于11月在某超市" in shown and "…" in shown and "末尾" not in shown
    assert "鱼峰区" in shown and "短" in shown  # the next row still prints

"""The statutory lägesbild PDF on the demo data: its pages render and are not blank, it
has the law's sections, and the public version prints no count below 5."""

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from django.core.management import call_command

from trygg.assessment.document import LagesbildRequest, generate

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.fixture
def demo_all(db):
    from trygg.core import demo
    from trygg.incidents import demo as incidents_demo
    from trygg.surveys import demo as surveys_demo

    municipality = demo.load()
    incidents_demo.load(end=dt.date(2026, 10, 31))
    surveys_demo.load()
    return municipality


def pdf_pages(data: bytes):
    document = pdfium.PdfDocument(data)
    return [document[i] for i in range(len(document))]


def text_of(pages) -> str:
    return "\n".join(p.get_textpage().get_text_range() for p in pages)


def test_partners_version_has_the_sections_and_nonblank_pages(demo_all):
    pdf = generate(LagesbildRequest(demo_all, dt.date(2025, 11, 1), dt.date(2026, 10, 31)))
    pages = pdf_pages(pdf)
    assert len(pages) >= 5
    ARTIFACTS.mkdir(exist_ok=True)
    for number, page in enumerate(pages, start=1):
        image = page.render(scale=0.6).to_pil()
        image.save(ARTIFACTS / f"lagesbild-page-{number}.png")
        pixels = np.asarray(image.convert("L"))
        assert pixels.min() < 128, f"page {number} is blank"
    text = text_of(pages)
    for heading in (
        "Lägesbild",
        "Sammanfattning",
        "Brottsligheten, dess omfattning och konsekvenser",
        "Annan relevant information",
        "Analys",
        "Källor och metod",
        "Bilaga: definitioner",
    ):
        assert heading in text, heading
    assert "Upplands-Bro (0139)" in text
    assert "Trygghet" in text  # the survey results are in it


def test_public_version_prints_no_count_below_five(demo_all):
    pdf = generate(
        LagesbildRequest(demo_all, dt.date(2026, 10, 1), dt.date(2026, 10, 31), public=True)
    )
    text = text_of(pdf_pages(pdf))
    assert "Offentlig version" in text
    assert "<5" in text  # a month has small counts: they are suppressed
    # Every number in the category and area tables is 5 or more (years, dates, percentages,
    # rates and page numbers aside).
    section = text.split("Per kategori", 1)[1].split("Största förändringarna", 1)[0]
    # page footers ("… · Offentlig version 3") and heading numbers ("2.4") are not counts
    section = "\n".join(line for line in section.splitlines() if "·" not in line)
    section = re.sub(r"\b\d+\.\d+\b", "", section)
    numbers = [int(n) for n in re.findall(r"(?<![\d,.%<-])\b(\d{1,4})\b(?![\d,.%])", section)]
    assert numbers and min(numbers) >= 5, numbers


def test_command_line(demo_all, tmp_path):
    out = tmp_path / "lagesbild.pdf"
    call_command(
        "generate_lagesbild",
        "--municipality",
        "0139",
        "--from",
        "2026-01-01",
        "--to",
        "2026-06-30",
        "--public",
        "--out",
        str(out),
    )
    assert out.read_bytes().startswith(b"%PDF")

"""The coverage report: one self-contained HTML page with charts, and no personal data."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pandas as pd
import pytest

from data_contracts.regions import load_region_reference
from satupekerja.privacy.pseudonyms import personal_data_scanner
from satupekerja.registry.coverage import coverage_by_area, uncovered_informal_workers
from satupekerja.staff.report import SECTION_IDS, ReportInputs, city_trend, render_report, uncovered_by_sector


class PageStructure(HTMLParser):
    """Section ids, number of SVG charts, and every URL-bearing attribute of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.section_ids: list[str] = []
        self.svgs = 0
        self.external: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "section":
            self.section_ids.append(values.get("id"))
        if tag == "svg":
            self.svgs += 1
        self.external += [value for name, value in attrs if name in ("src", "href") and value]


@pytest.fixture(scope="module")
def page(demo_registry) -> str:
    unified = demo_registry.unified
    coverage = coverage_by_area(unified, load_region_reference())
    earlier = coverage.assign(covered=coverage["covered"] // 2)
    inputs = ReportInputs(
        snapshot_date=dt.date(2026, 11, 1),
        coverage=coverage,
        by_sector=uncovered_by_sector(uncovered_informal_workers(unified)),
        trend=city_trend({dt.date(2026, 10, 1): earlier, dt.date(2026, 11, 1): coverage}),
    )
    return render_report(inputs)


def test_report_has_every_section_and_inline_charts(page):
    structure = PageStructure()
    structure.feed(page)
    assert set(SECTION_IDS) <= set(structure.section_ids)
    assert structure.svgs >= 3
    assert structure.external == []
    assert "style" in structure.tags and "script" not in structure.tags
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "https://" not in page


def test_report_shows_every_kecamatan_and_kelurahan(page):
    regions = load_region_reference()
    assert all(name in page for name in regions["kecamatan"].unique())
    assert all(name in page for name in regions["kelurahan"])


def test_report_holds_no_personal_data(page, demo_registry):
    records = demo_registry.person_records
    scanner = personal_data_scanner(niks=records["nik"], phones=records["phone"], names=records["name"])
    assert scanner.find(page) == []


def test_city_trend_is_one_row_per_snapshot_oldest_first(demo_registry):
    coverage = coverage_by_area(demo_registry.unified, load_region_reference())
    trend = city_trend({dt.date(2026, 11, 1): coverage, dt.date(2026, 10, 1): coverage})
    assert trend["snapshot_date"].tolist() == [pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01")]
    assert (trend["people"] == len(demo_registry.unified)).all()


def test_uncovered_by_sector_counts_add_up(demo_registry):
    uncovered = uncovered_informal_workers(demo_registry.unified)
    by_sector = uncovered_by_sector(uncovered)
    assert by_sector["uncovered"].sum() == len(uncovered)
    assert (by_sector["never_registered"] + by_sector["lapsed"] == by_sector["uncovered"]).all()
    assert by_sector["uncovered"].is_monotonic_decreasing

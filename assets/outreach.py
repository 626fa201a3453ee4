"""``outreach_outcomes``: each night, the agents' visit outcomes joined with the snapshot just published.

Thin: :func:`satupekerja.staff.outreach.record_night` does the work (funnel and conversions into the web
application's database, pseudonymised outcome rows for the analytics tier); this asset adds those rows to the
night's snapshot as the analytics tables ``outreach_outcomes`` and ``outreach_funnel``. Runs after
``publish_snapshot``; a held-back night publishes nothing, so this asset is skipped with it.
"""

from datetime import date

import dagster as dg
from dagster import AssetExecutionContext
from pydantic import Field

from assets.partitions import snapshot_partitions
from assets.publication import PUBLICATION_GROUP, PUBLISH_SNAPSHOT
from assets.resources import PrivacyResource, WarehouseResource
from satupekerja.publishing.warehouse import ANALYTICS
from satupekerja.staff.outreach import OUTREACH_FUNNEL_TABLE, OUTREACH_OUTCOMES_TABLE, record_night
from satupekerja.web.models import make_engine

OUTREACH_OUTCOMES = "outreach_outcomes"


class WebDatabase(dg.ConfigurableResource):
    """The web application's database, where agents record visit outcomes."""

    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Default: `$SATUPEKERJA_WEB_DB`, else `<repo>/.web/satupekerja_web.sqlite`.",
    )


@dg.asset(
    name=OUTREACH_OUTCOMES,
    deps=[PUBLISH_SNAPSHOT],
    partitions_def=snapshot_partitions,
    group_name=PUBLICATION_GROUP,
    kinds={"sql", "parquet"},
    description="Visit outcomes of PERISAI agents and conversions (reached, now an active BPJS TK member), per night.",
)
def outreach_outcomes(
    context: AssetExecutionContext, warehouse: WarehouseResource, web_database: WebDatabase, privacy: PrivacyResource
) -> dg.MaterializeResult:
    snapshot = date.fromisoformat(context.partition_key)
    target = warehouse.get()
    if snapshot not in target.snapshots():
        context.log.warning("snapshot %s is not published; outreach outcomes not computed", snapshot)
        return dg.MaterializeResult(metadata={"computed": False})
    engine = make_engine(web_database.url)
    try:
        night = record_night(engine, target, privacy.key(), snapshot)
    finally:
        engine.dispose()
    staged = target.stage(snapshot, context.run.run_id)
    staged.write(OUTREACH_OUTCOMES_TABLE, night.analytics_outcomes, ANALYTICS)
    staged.write(OUTREACH_FUNNEL_TABLE, night.funnel, ANALYTICS)
    target.publish(staged, merge=True)
    return dg.MaterializeResult(
        metadata={
            "computed": True,
            "outcomes": len(night.analytics_outcomes),
            "reached": int(night.funnel["reached"].sum()) if len(night.funnel) else 0,
            "conversions": len(night.conversions),
        }
    )

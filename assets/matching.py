"""Matching assets: one engine call over ``person_records``, four stored outputs.

``link_person_records`` runs :func:`matching.link_records` (block, compare, learn the Fellegi–Sunter model by EM,
score, cluster) and gives tonight's clusters their stable worker ids, inherited from the last published
snapshot before this one (:func:`satupekerja.publishing.warehouse.previous_worker_ids`). The engine is one pass, so the
outputs come from one step:

- ``scored_pairs``: every candidate pair from blocking, with each comparison's level and weight;
- ``worker_links``: ``record_id`` → ``worker_id`` for every person record;
- ``worker_id_history``: how ids were created, kept, merged, split and retired, night by night;
- ``match_review_queue``: the uncertain pairs for a clerk to confirm or reject, both records side by side with
  each comparison's level and weight (:func:`satupekerja.registry.review_queue.review_queue_table`), published
  in the restricted tier;
- ``matching_model``: the trained model (settings hash, m and u per level, λ, term-frequency tables) as one
  JSON document, published in the restricted tier beside the snapshot, so ``check-list`` and ``show`` score
  against it without retraining. When the last published model was trained under the same settings, EM
  starts from it, and the metadata shows what moved since then;
- ``matching_features``: every person record's matching features before coding (name keys, NIK, phone and
  birth-date numbers, location keys: :func:`matching.link.matching_features`) with the settings hash, published
  in the restricted tier beside the model, so ``check-list`` and ``show`` compute features for the list's rows
  only.

Before clustering, the review decisions clerks recorded (the register in the web application's database,
:mod:`satupekerja.staff.review`, reached through the ``web_database`` resource) are applied as must-links and
cannot-links; a register whose chain does not verify stops the night. The ``match_review_queue`` metadata
counts the decisions applied, those whose records are gone, those not held and those against a NIK rule.
"""

import json
import time
from collections.abc import Iterator
from dataclasses import replace

import dagster as dg
import pandas as pd
from dagster import AssetExecutionContext

from assets.groups import MATCHING
from assets.metadata import (
    WORKERS,
    WORKERS_IN_SEVERAL_SOURCES,
    Metadata,
    markdown_table,
    share,
    table_metadata,
    value_counts,
)
from assets.outreach import WebDatabase
from assets.partitions import snapshot_date, snapshot_partitions
from assets.resources import MatchingSettingsFile, PrivacyResource, WarehouseResource
from data_contracts.matching_settings import load_matching_settings
from matching import model_changes, model_from_dict, model_to_dict, settings_fingerprint
from matching.clustering import APPLIED, NOT_HELD, RECORD_MISSING
from matching.link import RECORD_COLUMNS, encoded_features, in_record_order, link_features, matching_features
from matching.stable_ids import assign_worker_ids, links_beside_worker_ids, worker_source_counts
from satupekerja.privacy.pseudonyms import PseudonymisationKey, hmac_pseudonym
from satupekerja.publishing.guards import record_sources
from satupekerja.publishing.stored import LOAD_WHEN_USED, StoredFrame, frame_of
from satupekerja.publishing.tables import (
    MATCH_REVIEW_QUEUE,
    MATCHING_FEATURES,
    MATCHING_MODEL,
    PERSON_RECORDS,
    SCORED_PAIRS,
    WORKER_ID_HISTORY,
    WORKER_LINKS,
)
from satupekerja.publishing.warehouse import last_published_before, previous_matching_model, previous_worker_ids
from satupekerja.registry.review_queue import REVIEW_RECORD_COLUMNS, review_queue_table
from satupekerja.staff import review

MOVES_SHOWN = 12


def _out(description: str) -> dg.AssetOut:
    return dg.AssetOut(description=description, group_name=MATCHING, kinds={"pandas", "parquet"})


@dg.multi_asset(
    name="link_person_records",
    # Read when used: the engine's columns first, the review queue's side-by-side fields at the end.
    ins={PERSON_RECORDS: dg.AssetIn(metadata=LOAD_WHEN_USED, dagster_type=dg.Any)},
    outs={
        SCORED_PAIRS: _out("Candidate record pairs with every comparison's level and match weight."),
        WORKER_LINKS: _out("Each person record's stable worker id, cluster size and link confidence."),
        WORKER_ID_HISTORY: _out("Worker id events (created, kept, merged_into, split_from, retired) by night."),
        MATCH_REVIEW_QUEUE: _out(
            "Uncertain pairs for clerical review, records side by side, per-comparison weights and the reason."
        ),
        MATCHING_MODEL: _out("The trained Fellegi-Sunter model as JSON (restricted: term frequencies are names)."),
        MATCHING_FEATURES: _out("Every record's matching features under the model's settings (restricted only)."),
    },
    partitions_def=snapshot_partitions,
    can_subset=False,
)
def link_person_records(
    context: AssetExecutionContext,
    person_records: pd.DataFrame | StoredFrame,
    warehouse: WarehouseResource,
    matching_settings: MatchingSettingsFile,
    web_database: WebDatabase,
    privacy: PrivacyResource,
) -> Iterator[dg.MaterializeResult]:
    snapshot = snapshot_date(context.partition_key)
    settings_path = matching_settings.settings_path()
    settings = load_matching_settings(settings_path)
    settings_hash = settings_fingerprint(settings)
    published = warehouse.get()
    previous = previous_matching_model(published, snapshot)
    start = None
    if previous is not None and previous.get("settings_hash") == settings_hash:
        start = model_from_dict(previous, settings.comparisons, settings_hash)
    key = privacy.key()
    # Only the columns the engine reads (24 of 44), in record_id order; the review queue's side-by-side fields
    # are read again at the end, for the queued records only.
    records = in_record_order(frame_of(person_records, columns=RECORD_COLUMNS))
    decisions = _night_decisions(web_database, records["record_id"], key, privacy.audit_secret())
    started = time.perf_counter()
    keys = matching_features(records, settings)
    del records
    features = encoded_features(keys, settings)
    feature_seconds = time.perf_counter() - started
    published_features = matching_features_frame(keys, settings_hash)
    features_metadata = {**table_metadata(keys), "settings hash": dg.MetadataValue.text(settings_hash)}
    del keys
    yield dg.MaterializeResult(asset_key=MATCHING_FEATURES, value=published_features, metadata=features_metadata)
    # Stored now: the features before coding are not needed any more, but an in-process run keeps every value
    # a step returns until the step ends. Emptied, they do not sit beside the engine's frames (2 GB at 2M people).
    empty_stored_frame(published_features)
    del published_features
    result = link_features(
        features, settings, start_model=start, constraints=decisions.constraints, timings={"features": feature_seconds}
    )
    del features
    # The candidates (block's pairs) are in the scored pairs; only the engine needed them apart.
    result = replace(result, candidates=result.candidates.iloc[:0])
    model_document = model_to_dict(result.model, settings_hash)
    inherited_from = last_published_before(published, snapshot)
    previous_links, previous_history = previous_worker_ids(published, snapshot)
    worker_ids, history = assign_worker_ids(result.links, previous_links, previous_history, snapshot)
    links = worker_links_frame(result.links, worker_ids)
    yield dg.MaterializeResult(
        asset_key=SCORED_PAIRS,
        value=result.scored_pairs,
        metadata={
            **table_metadata(result.scored_pairs),
            "pairs per blocking rule": markdown_table(
                ["rule", "pairs", "dropped keys", "dropped records"],
                result.blocking_stats[["rule", "pairs", "dropped_keys", "dropped_records"]].itertuples(index=False),
            ),
            "m/u table": dg.MetadataValue.md(result.model.table_markdown()),
            "matching settings file": dg.MetadataValue.text(settings_path.name),
            "seconds per stage": dg.MetadataValue.json({k: round(v, 2) for k, v in result.timings.items()}),
        },
    )
    yield dg.MaterializeResult(asset_key=WORKER_LINKS, value=links, metadata=_links_metadata(links))
    yield dg.MaterializeResult(
        asset_key=WORKER_ID_HISTORY,
        value=history,
        metadata={
            **table_metadata(history),
            "events tonight": value_counts(history.loc[history["snapshot_date"] == pd.Timestamp(snapshot), "event"]),
            "ids inherited from snapshot": dg.MetadataValue.text(
                inherited_from.isoformat() if inherited_from else "none: first published night"
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key=MATCHING_MODEL,
        value=pd.DataFrame({"settings_hash": [settings_hash], "model_json": [json.dumps(model_document)]}),
        metadata=_model_metadata(model_document, previous, start is not None, result.model.table_markdown()),
    )
    queued = pd.concat([result.review_queue["record_id_l"], result.review_queue["record_id_r"]]).unique()
    # The side-by-side fields of the queued records only, filtered as they are read.
    side_by_side = frame_of(person_records, columns=REVIEW_RECORD_COLUMNS, rows=("record_id", queued))
    queue = review_queue_table(result.review_queue, side_by_side, worker_ids, _pseudonyms(pd.Series(queued), key))
    del side_by_side
    yield dg.MaterializeResult(
        asset_key=MATCH_REVIEW_QUEUE,
        value=queue,
        metadata={
            **table_metadata(queue),
            "pairs per reason": value_counts(queue["reason"]),
            **_decisions_metadata(decisions, result.decisions),
        },
    )


def _pseudonyms(record_ids: pd.Series, key: PseudonymisationKey) -> pd.Series:
    """HMAC pseudonym per record id, indexed by the record id."""
    ids = record_ids.astype("str")
    return pd.Series(hmac_pseudonym(ids, key).to_numpy(), index=ids.to_numpy())


def _night_decisions(
    web_database: WebDatabase, record_ids: pd.Series, key: PseudonymisationKey, audit_secret: bytes
) -> review.NightConstraints:
    """The decisions in force, as tonight's record-id pairs; a register whose chain is broken stops the night.
    Every record id is pseudonymised only when there are decisions to find."""
    register = review.load_register(web_database.url)
    problem = review.register_problem(register, audit_secret)
    if problem is not None:
        raise review.RegisterTamperedError(
            f"register keputusan review tidak utuh / the review decision register does not verify: {problem}"
        )
    hashes = _pseudonyms(record_ids, key) if len(register) else pd.Series(dtype="str")
    return review.night_constraints(register, hashes, key.fingerprint)


def _decisions_metadata(night: review.NightConstraints, outcomes: pd.DataFrame) -> Metadata:
    """Counts only: decisions in force, applied, whose records are gone, not held, against a NIK rule."""
    status = outcomes["status"] if len(outcomes) else pd.Series(dtype="str")
    conflicts = outcomes["nik_rule_conflict"] if len(outcomes) else pd.Series(dtype="bool")
    return {
        "review decisions in force": dg.MetadataValue.int(night.decisions_in_force),
        "review decisions applied": dg.MetadataValue.int(int(status.eq(APPLIED).sum())),
        "review decisions whose records are gone": dg.MetadataValue.int(
            night.records_missing + int(status.eq(RECORD_MISSING).sum())
        ),
        "review decisions not held (contradicted by a different-people decision)": dg.MetadataValue.int(
            int(status.eq(NOT_HELD).sum())
        ),
        "review decisions against a NIK rule (the decision wins)": dg.MetadataValue.int(int(conflicts.sum())),
        "review decisions made under another pseudonym key": dg.MetadataValue.int(night.other_key),
    }


def _model_metadata(document: dict, previous: dict | None, started_from_previous: bool, table: str) -> dict:
    """The model (m/u table: levels and probabilities, no values) and what moved since the last published one."""
    metadata: Metadata = {
        "m/u table": dg.MetadataValue.md(table),
        "settings hash": dg.MetadataValue.text(document["settings_hash"]),
        "EM started from": dg.MetadataValue.text(
            "the last published model" if started_from_previous else "the settings' m_prior"
        ),
        "EM iterations": dg.MetadataValue.int(int(document["em_iterations"])),
    }
    if previous is None:
        metadata["moved since the previous model"] = dg.MetadataValue.text("no previous published model")
        return metadata
    if previous.get("settings_hash") != document["settings_hash"]:
        metadata["moved since the previous model"] = dg.MetadataValue.text(
            "the previous model was trained under other matching settings"
        )
    changes = model_changes(previous, document).head(MOVES_SHOWN)
    metadata["largest weight moves since the previous model (bits)"] = markdown_table(
        ["comparison", "level", "before", "after", "change"],
        [
            (row.comparison, row.level, f"{row.weight_before:+.2f}", f"{row.weight_after:+.2f}", f"{row.change:+.2f}")
            for row in changes.itertuples()
        ],
    )
    return metadata


def empty_stored_frame(frame: pd.DataFrame) -> None:
    """Drop every column of ``frame`` in place, once the step has handed it out and it is stored.

    Within a step, an in-process run keeps every value the step has returned (the captures that
    ``pipelines.memory.forget_captured_outputs`` empties after the step), and so does Dagster's loop over
    what the asset yields. Emptied, whatever still refers to the frame refers to its row index only, and its
    columns are freed once the asset lets go of its own references. The stored copy is not touched.
    """
    for column in list(frame.columns):
        del frame[column]


def matching_features_frame(features: pd.DataFrame | None, settings_hash: str) -> pd.DataFrame:
    """The published ``matching_features``: the engine's features before coding, with the settings hash."""
    if features is None:
        raise ValueError("link_records was run without keep_features: no matching features to publish")
    return features.assign(settings_hash=pd.Series(settings_hash, index=features.index, dtype="str"))


def worker_links_frame(links: pd.DataFrame, worker_ids: pd.DataFrame) -> pd.DataFrame:
    """The engine's links with tonight's stable ``worker_id`` and the record's ``source``."""
    linked = links_beside_worker_ids(links, worker_ids)
    linked.insert(1, "source", record_sources(linked["record_id"]))
    return linked


def _links_metadata(links: pd.DataFrame) -> Metadata:
    counts = worker_source_counts(links)
    return {
        **table_metadata(links),
        WORKERS: dg.MetadataValue.int(counts.workers),
        WORKERS_IN_SEVERAL_SOURCES: dg.MetadataValue.int(counts.in_several_sources),
        "link rate per source": markdown_table(
            ["source", "records", "linked to another record", "link rate"],
            [
                (source, records, linked, f"{share(linked, records):.1%}")
                for source, records, linked in counts.per_source
            ],
        ),
    }

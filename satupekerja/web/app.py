"""The Satu Pekerja web application for outreach staff and PERISAI agents (Flask, server-rendered).

``create_app(settings)`` takes its settings from a :class:`~satupekerja.settings.Settings` (``python -m
satupekerja.web`` builds it from the environment, see ``docs/web.md``): the warehouse it reads
(``SATUPEKERJA_WAREHOUSE_DIR``), its own database (``SATUPEKERJA_WEB_DB``), the session secret
(``SATUPEKERJA_WEB_SECRET``, else a random key kept in ``.web/secret_key``), the idle session lifetime
(``SATUPEKERJA_WEB_SESSION_MINUTES``, default 30), the audit log and the keys. Keyword arguments override it.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import io
import os
import re
import secrets
import shutil
import tempfile
import time
from functools import wraps
from pathlib import Path

import numpy as np
import pandas as pd
from flask import Flask, abort, flash, g, redirect, render_template, request, send_file, session, url_for
from flask_babel import Babel, format_date, format_decimal
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from data_contracts.contract import load_contracts
from data_contracts.matching_settings import load_matching_settings
from data_contracts.roles import RoleBook
from satupekerja.privacy.audit import AuditLog, pseudonymise_filter_value
from satupekerja.privacy.pseudonyms import load_pseudonymisation_key, mask_nik
from satupekerja.publishing.warehouse import Warehouse
from satupekerja.registry import lookup
from satupekerja.registry.unify import link_probability, source_rank
from satupekerja.settings import DEFAULT_WEB_SESSION_MINUTES, REPO_ROOT, Settings
from satupekerja.staff import checklist, exports, review
from satupekerja.web import charts, vocabulary
from satupekerja.web.data import NothingPublishedError, Regions, Scope, WarehouseData, scope_of
from satupekerja.web.login_limit import LoginLimiter, LoginLimits, verify_nobody
from satupekerja.web.models import (
    ADMIN,
    AGENT,
    AREA,
    BRANCH,
    OUTCOMES,
    ROLES,
    Account,
    Assignment,
    Conversion,
    FunnelNight,
    Outcome,
    WeakPasswordError,
    find_account,
    make_engine,
    utcnow,
)
from satupekerja.web.upload import read_uploaded_list

#: A session ends after this long idle (refreshed on every request) and, in any case, after ``MAX_SESSION_HOURS``.
DEFAULT_SESSION_MINUTES = DEFAULT_WEB_SESSION_MINUTES
MAX_SESSION_HOURS = 12
PAGE_SIZE = 50
LANGUAGES = ("id", "en")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def create_app(
    settings: Settings | None = None,
    *,
    database_url: str | None = None,
    warehouse_dir: Path | None = None,
    audit_log: Path | None = None,
    secret_key: str | None = None,
    session_minutes: int | None = None,
    testing: bool = False,
    login_limits: LoginLimits | None = None,
) -> Flask:
    """``login_limits``: failed sign-ins allowed per account name and per client address within a window, and how
    long a lock lasts (:class:`LoginLimits`; its defaults when not given)."""
    settings = settings if settings is not None else Settings()
    app = Flask(__name__)
    minutes = session_minutes or settings.web_session_minutes
    app.config.update(
        SECRET_KEY=secret_key or settings.web_secret or _stored_secret(),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.web_secure_cookie,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        BABEL_DEFAULT_LOCALE="id",
        BABEL_DEFAULT_TIMEZONE="Asia/Jakarta",
        TESTING=testing,
    )
    engine = make_engine(database_url or settings.web_db_url)
    app.extensions["sp_engine"] = engine
    app.extensions["sp_sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["sp_data"] = WarehouseData(Warehouse(warehouse_dir or settings.warehouse_dir))
    app.extensions["sp_audit"] = AuditLog.from_settings(settings, audit_log)
    app.extensions["sp_regions"] = Regions()
    app.extensions["sp_match_settings"] = load_matching_settings(settings.matching_settings)
    app.extensions["sp_settings"] = settings
    upload_dir = Path(tempfile.mkdtemp(prefix="satupekerja_web_"))  # owner-only (0o700)
    atexit.register(shutil.rmtree, upload_dir, ignore_errors=True)
    app.extensions["sp_upload_dir"] = upload_dir
    app.extensions["sp_login_limiter"] = LoginLimiter(login_limits or LoginLimits(), app.config["SECRET_KEY"])

    CSRFProtect(app)
    Babel(app, locale_selector=lambda: session.get("lang") if session.get("lang") in LANGUAGES else "id")
    login = LoginManager(app)
    login.login_view = "masuk"
    login.login_message = None
    login.session_protection = "strong"

    @login.user_loader
    def load_user(user_id: str) -> Account | None:
        account = db().get(Account, int(user_id))
        return account if account is not None and account.active else None

    _register_filters(app)
    _register_views(app)

    @app.teardown_appcontext
    def close_db(_error) -> None:
        database = g.pop("db", None)
        if database is not None:
            database.close()

    @app.before_request
    def expire_long_sessions():
        started = session.get("login_at")
        if started is not None and time.time() - started > MAX_SESSION_HOURS * 3600:
            logout_user()
            session.clear()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


def _stored_secret() -> str:
    directory = REPO_ROOT / ".web"
    directory.mkdir(mode=0o700, exist_ok=True)
    path = directory / "secret_key"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


# ------------------------------------------------------------------------------------------ helpers


def db() -> Session:
    from flask import current_app

    if "db" not in g:
        g.db = current_app.extensions["sp_sessions"]()
    return g.db


def ext(name: str):
    from flask import current_app

    return current_app.extensions[name]


def audit(action: str, *, filters: dict, row_count: int, output_file: Path | None = None) -> None:
    ext("sp_audit").record(
        action,
        requested_by=f"web:{current_user.username}",
        command=f"web {request.method} {request.path}",
        filters=filters,
        row_count=row_count,
        output_file=output_file,
    )


def login_audit(action: str, username: str, locked: str) -> None:
    """A refused or locking sign-in: no signed-in user yet, so the typed name goes in as its HMAC (the limiter's
    key), never as typed; ``locked`` says what is locked (``akun`` = the account name, ``alamat`` = the address)."""
    limiter: LoginLimiter = ext("sp_login_limiter")
    ext("sp_audit").record(
        action,
        requested_by="web:-",
        command=f"web {request.method} {request.path}",
        filters={"dikunci": locked, "akun_hmac": limiter.account_key(username)},
        row_count=0,
        output_file=None,
    )


def assigned_workers(account: Account) -> set[str]:
    return set(db().scalars(select(Assignment.worker_id).where(Assignment.agent_id == account.id)))


def current_scope() -> Scope:
    if "scope" not in g:
        g.scope = scope_of(current_user, assigned_workers(current_user) if current_user.role == AGENT else None)
    return g.scope


def roles_required(*roles: str):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def snapshot():
    try:
        return ext("sp_data").latest()
    except NothingPublishedError as error:
        abort(503, description=str(error))


def _text(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, (list, tuple)) or (
        hasattr(value, "tolist") and not isinstance(value, (str, bytes)) and not pd.api.types.is_scalar(value)
    ):
        return ", ".join(map(str, list(value))) or "–"  # type: ignore[call-overload]  # a list, tuple or array
    if pd.isna(value):
        return "–"
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return format_date(pd.Timestamp(value).date(), "d MMMM yyyy")
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, float):
        return format_decimal(value, "#,##0.###")
    return str(value)


def _vulnerable_text(worker: pd.Series) -> str:
    if not bool(worker.get("vulnerable")) or pd.isna(worker.get("vulnerable_reason")):
        return "Tidak"
    return "Ya: " + str(exports.vulnerable_text(pd.Series([worker.get("vulnerable_reason")], dtype="str")).iloc[0])


def _mask_one(value: object) -> str:
    if value is None or pd.isna(value):
        return "–"
    return str(mask_nik(pd.Series([str(value)], dtype="str")).iloc[0])


def _register_filters(app: Flask) -> None:
    app.jinja_env.filters["angka"] = lambda value: (
        "–" if value is None or pd.isna(value) else format_decimal(value, "#,##0")
    )
    app.jinja_env.filters["persen"] = lambda value: (
        "–" if value is None or pd.isna(value) else format_decimal(value * 100, "#,##0.0") + "%"
    )
    app.jinja_env.filters["tanggal"] = lambda value: (
        "–" if value is None or pd.isna(value) else format_date(pd.Timestamp(value).date(), "d MMMM yyyy")
    )
    app.jinja_env.filters["teks"] = _text
    app.jinja_env.filters["hp"] = lambda value: (
        "" if value is None or pd.isna(value) else re.sub(r"^62", "0", str(value))
    )
    app.jinja_env.globals.update(
        vocabulary=vocabulary, label=vocabulary.label, ADMIN=ADMIN, BRANCH=BRANCH, AREA=AREA, AGENT=AGENT
    )


# ------------------------------------------------------------------------------------------ list selection


LIST_FILTERS = ("kecamatan", "kelurahan", "sektor", "tingkat", "rentan", "prioritas")
#: Filters whose value must be one of a closed list (anything else is ignored, as if not given).
CLOSED_FILTERS: dict[str, frozenset[str]] = {
    "tingkat": frozenset(vocabulary.TIER),
    "rentan": frozenset(("ya", "tidak")),
    "prioritas": frozenset(vocabulary.PRIORITY_BANDS),
}


def list_filters() -> dict[str, str]:
    filters = {}
    for name in LIST_FILTERS:
        value = request.args.get(name, "").strip()
        if value and (name not in CLOSED_FILTERS or value in CLOSED_FILTERS[name]):
            filters[name] = value
    return filters


def filter_text(name: str, value: str) -> str:
    """A filter's value as staff read it: region names, sector, tier and priority labels, never codes."""
    if name in ("kecamatan", "kelurahan"):
        return ext("sp_regions").name(value)
    if name == "sektor":
        return vocabulary.label(vocabulary.SECTOR, value)
    if name == "tingkat":
        return vocabulary.TIER[value]
    if name == "prioritas":
        return vocabulary.PRIORITY_BANDS[value][0]
    return "Ya" if value == "ya" else "Tidak" if value == "tidak" else value


def select_positions(filters: dict[str, str]) -> np.ndarray:
    """Positions in the snapshot's list (priority order) of the uncovered informal workers the user may see,
    filtered. The scope's rows are kept per snapshot and scope; the filters look only at those rows."""
    snap = snapshot()
    frame = snap.uncovered
    positions = snap.scope_positions(current_scope())
    if not filters.keys() & {"kecamatan", "kelurahan", "sektor", "tingkat", "rentan", "prioritas"}:
        return positions
    rows = frame.iloc[positions]
    keep = np.ones(len(rows), dtype=bool)
    for name, column in (
        ("kecamatan", "kecamatan_code"),
        ("kelurahan", "kelurahan_code"),
        ("sektor", "sector"),
        ("tingkat", "outreach_tier"),
    ):
        if name in filters:
            keep &= rows[column].eq(filters[name]).fillna(False).to_numpy(dtype=bool)
    if filters.get("rentan") in ("ya", "tidak"):
        vulnerable = rows["vulnerable"].fillna(False).astype(bool).to_numpy()
        keep &= vulnerable if filters["rentan"] == "ya" else ~vulnerable
    band = vocabulary.PRIORITY_BANDS.get(filters.get("prioritas", ""))
    if band is not None:
        score = rows["outreach_score"].astype("Float64")
        low, high = band[1], band[2]
        if low is not None:
            keep &= score.ge(low).fillna(False).to_numpy(dtype=bool)
        if high is not None:
            keep &= score.le(high).fillna(False).to_numpy(dtype=bool)
    return positions[keep]


def list_table(filters: dict[str, str], start: int = 0, stop: int | None = None) -> pd.DataFrame:
    """Rows ``start:stop`` (all by default) of the selection as staff read them (the columns of
    ``exports.staff_table`` and the tier), ``Prioritas`` = rank within the whole selection (1 = contact first)."""
    positions = select_positions(filters)[start:stop]
    return snapshot().staff_rows(positions, start + 1)


def formula_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells starting with ``= + - @`` (or a tab/carriage return) get a leading ``'`` so spreadsheet
    programs show them as text instead of running them as formulas."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            text = out[column].astype("str")
            risky = text.str.match(r"^[=+\-@\t\r]").fillna(False)
            out[column] = out[column].where(~risky, "'" + text)
    return out


def download_name(filters: dict[str, str], snapshot_date: dt.date, suffix: str) -> str:
    parts = ["belum_terlindungi"]
    for name in LIST_FILTERS:
        value = filters.get(name)
        if not value:
            continue
        shown = filter_text(name, value) if name in ("kecamatan", "kelurahan", "sektor") else value
        parts.append(f"{name}-{shown}")
    parts.append(snapshot_date.isoformat())
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", "_".join(parts)).strip("_") + suffix


# ------------------------------------------------------------------------------------------ views


def _register_views(app: Flask) -> None:
    @app.errorhandler(403)
    def forbidden(_error):
        return render_template(
            "error.html", title=_("Tidak diizinkan"), message=_("Halaman ini tidak untuk peran Anda.")
        ), 403

    @app.errorhandler(404)
    def not_found(_error):
        return render_template(
            "error.html",
            title=_("Tidak ditemukan"),
            message=_("Data yang Anda minta tidak ada atau di luar wilayah Anda."),
        ), 404

    @app.errorhandler(503)
    def unavailable(error):
        return render_template("error.html", title=_("Data belum tersedia"), message=error.description), 503

    @app.errorhandler(413)
    def too_large(_error):
        return render_template(
            "error.html", title=_("Berkas terlalu besar"), message=_("Ukuran berkas maksimal 10 MB.")
        ), 413

    @app.get("/bahasa/<code>")
    def bahasa(code: str):
        if code in LANGUAGES:
            session["lang"] = code
        target = request.referrer or url_for("beranda")
        return redirect(target if target.startswith(request.host_url) else url_for("beranda"))

    @app.route("/masuk", methods=["GET", "POST"])
    def masuk():
        if request.method == "POST":
            username = request.form.get("username", "").strip()
            password = request.form.get("password", "")
            limiter: LoginLimiter = ext("sp_login_limiter")
            client = request.remote_addr
            lock = limiter.locked(db(), username, client)
            if lock is not None:
                login_audit("web_masuk_dibatasi", username, lock.kind)
                flash(
                    _(
                        "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(menit)s menit.",
                        menit=lock.minutes_left(utcnow()),
                    ),
                    "error",
                )
                return render_template("login.html"), 429
            account = find_account(db(), username)
            if account is None:
                verify_nobody(password)
            if account is None or not account.active or not account.check_password(password):
                limiter.failed(db(), username, client)
                lock = limiter.locked(db(), username, client)
                if lock is not None:
                    login_audit("web_masuk_dikunci", username, lock.kind)
                flash(_("Nama pengguna atau kata sandi salah."), "error")
                return render_template("login.html"), 401
            limiter.succeeded(db(), username)
            session.clear()
            login_user(account)
            session.permanent = True
            session["login_at"] = time.time()
            account.last_login = utcnow()
            db().commit()
            return redirect(url_for("beranda"))
        return render_template("login.html")

    @app.post("/keluar")
    def keluar():
        logout_user()
        session.clear()
        return redirect(url_for("masuk"))

    @app.get("/")
    @login_required
    def beranda():
        if current_user.role == AGENT:
            return redirect(url_for("tindak_lanjut"))
        return redirect(url_for("daftar"))

    # -------------------------------------------------------------------------------------- Daftar

    @app.get("/daftar")
    @login_required
    def daftar():
        snap = snapshot()
        filters = list_filters()
        total = len(select_positions(filters))
        page = max(1, request.args.get("halaman", 1, type=int))
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(page, pages)
        table = list_table(filters, (page - 1) * PAGE_SIZE, page * PAGE_SIZE)
        table["worker_id"] = table["ID Pekerja"].to_numpy()
        choices = snap.filter_choices(current_scope())
        kecamatan_codes = choices["kecamatan_code"]
        regions = ext("sp_regions")
        kelurahan_codes = sorted(choices["kelurahan_code"], key=regions.name)
        sectors = sorted(choices["sector"], key=lambda code: vocabulary.label(vocabulary.SECTOR, code))
        agents = (
            db().scalars(select(Account).where(Account.role == AGENT, Account.active).order_by(Account.username)).all()
            if current_user.role != AGENT
            else []
        )
        assigned = {
            a.worker_id: a.agent.username
            for a in db().scalars(select(Assignment).where(Assignment.worker_id.in_(list(table["worker_id"]))))
        }
        if len(table):
            audit(
                "web_daftar",
                filters={**filters, "halaman": page, "snapshot_date": snap.date.isoformat()},
                row_count=len(table),
            )
        return render_template(
            "daftar.html",
            table=table,
            total=total,
            page=page,
            pages=pages,
            filters=filters,
            kecamatan_codes=kecamatan_codes,
            kelurahan_codes=kelurahan_codes,
            sectors=sectors,
            regions=regions,
            snapshot_date=snap.date,
            agents=agents,
            assigned=assigned,
        )

    @app.get("/daftar/unduh")
    @login_required
    def daftar_unduh():
        snap = snapshot()
        filters = list_filters()
        fmt = request.args.get("format", "xlsx")
        if fmt not in ("xlsx", "csv"):
            abort(400)
        regions = ext("sp_regions")
        table = list_table(filters)  # write_xlsx / write_csv make every cell formula-safe
        name = download_name(filters, snap.date, f".{fmt}")
        path = ext("sp_upload_dir") / f"{secrets.token_hex(8)}_{name}"
        if fmt == "xlsx":
            info = [
                ("Daftar", "Pekerja informal belum terlindungi BPJS Ketenagakerjaan"),
                ("Snapshot data", format_date(snap.date, "d MMMM yyyy")),
                (
                    "Filter",
                    ", ".join(f"{key}: {filter_text(key, value)}" for key, value in filters.items())
                    or "semua di wilayah Anda",
                ),
                (
                    "Wilayah akun",
                    _("Seluruh kota") if current_scope().all_city else regions.describe(current_user.area_codes),
                ),
                ("Diunduh oleh", current_user.username),
                ("Jumlah orang", format_decimal(len(table), "#,##0")),
                ("Urutan", "Prioritas 1 dihubungi lebih dulu (urutan di dalam pilihan ini)."),
                (
                    "RAHASIA",
                    "Berisi data pribadi (UU 27/2022). Hanya untuk penjangkauan; jangan disebarkan; hapus setelah dipakai.",
                ),
            ]
            exports.write_xlsx(table, path, info)
        else:
            exports.write_csv(table, path)
        audit(
            "web_unduh_daftar",
            filters={**filters, "format": fmt, "snapshot_date": snap.date.isoformat()},
            row_count=len(table),
            output_file=path,
        )
        data = path.read_bytes()
        path.unlink(missing_ok=True)
        mimetype = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)

    # -------------------------------------------------------------------------------------- Orang

    @app.get("/orang/<worker_id>")
    @login_required
    def orang(worker_id: str):
        snap = snapshot()
        found, asked_for = worker_id, None
        worker = snap.worker(worker_id)
        if worker is None and snap.history is not None:
            current = lookup.resolve_retired(worker_id, snap.history)
            worker = snap.worker(current) if current != worker_id else None
            found, asked_for = current, worker_id
        if worker is None or not current_scope().allows(worker):
            audit("web_orang_ditolak", filters={"worker_id": worker_id}, row_count=0)
            abort(404)
        if asked_for is not None:
            flash(_("ID %(old)s sudah digabung ke %(new)s.", old=asked_for, new=found), "info")
        profile = person_profile(snap, worker)
        audit(
            "web_orang",
            filters={"worker_id": found, "snapshot_date": snap.date.isoformat()},
            row_count=int(worker["record_count"]),
        )
        outcomes = (
            db()
            .scalars(
                select(Outcome).where(Outcome.worker_id == found).order_by(Outcome.visit_date.desc(), Outcome.id.desc())
            )
            .all()
        )
        assignment = db().scalars(select(Assignment).where(Assignment.worker_id == found)).first()
        masked = mask_nik(pd.Series([profile["worker"].get("nik")], dtype="str")).iloc[0]
        return render_template(
            "orang.html",
            snapshot_date=snap.date,
            regions=ext("sp_regions"),
            outcomes=outcomes,
            assignment=assignment,
            masked_nik="–" if pd.isna(masked) else masked,
            mask=_mask_one,
            vulnerable_text=_vulnerable_text(profile["worker"]),
            source_labels=source_labels(ext("sp_settings").contracts_dir),
            **profile,
        )

    @app.get("/cari")
    @login_required
    def cari():
        query = request.args.get("q", "").strip()
        if not query:
            return redirect(url_for("daftar"))
        snap = snapshot()
        nik = lookup.normalised_nik(query, pd.Timestamp(snap.date)) if re.fullmatch(r"[\d .\-]{16,24}", query) else None
        if nik is None:
            return redirect(url_for("orang", worker_id=query.upper()))
        try:
            found, _asked = lookup.find_worker_id(
                snap.unified, nik=nik, person_records=snap.person_records, worker_links=snap.links
            )
        except lookup.WorkerNotFoundError:
            found = None
        settings = ext("sp_settings")
        key = load_pseudonymisation_key(settings.mode, settings.hmac_key)
        if found is None or not current_scope().allows(snap.worker(found)):
            audit("web_cari_nik_ditolak", filters={"nik_hmac": pseudonymise_filter_value(nik, key)}, row_count=0)
            abort(404)
        audit("web_cari_nik", filters={"nik_hmac": pseudonymise_filter_value(nik, key)}, row_count=1)
        return redirect(url_for("orang", worker_id=found))

    # -------------------------------------------------------------------------------------- Cek daftar

    @app.route("/cek-daftar", methods=["GET", "POST"])
    @roles_required(ADMIN, BRANCH, AREA)
    def cek_daftar():
        if request.method == "GET":
            return render_template("cek_daftar.html", result=None)
        upload = request.files.get("berkas")
        if upload is None or not upload.filename:
            flash(_("Pilih berkas daftar (.xlsx atau .csv)."), "error")
            return render_template("cek_daftar.html", result=None), 400
        display_name = Path(upload.filename).name
        token = secrets.token_hex(12)
        directory = ext("sp_upload_dir")
        remove_stale_uploads(directory)
        source = directory / f"{token}_masuk{Path(display_name).suffix.lower()}"
        upload.save(source)
        try:
            snap = snapshot()
            listed = read_uploaded_list(source, display_name, pd.Timestamp(snap.date))
            settings = ext("sp_match_settings")
            registry = checklist.RegistryForChecks(
                snap.person_records,
                snap.links.reset_index(drop=True),
                snap.unified.reset_index(drop=True),
                snap.check_model(settings),
                settings,
                snap.check_features(settings),
            )
            checked = checklist.check_list(listed, registry)
        except checklist.ChecklistError as error:
            audit("web_cek_daftar_gagal", filters={"list_file": display_name}, row_count=0, output_file=source)
            source.unlink(missing_ok=True)
            flash(str(error), "error")
            return render_template("cek_daftar.html", result=None), 400
        result = checked.rows
        id_column = checklist.RESULT_COLUMNS[1]
        ids = result[id_column]
        known = ids.notna() & ids.isin(snap.unified.index)
        visible = pd.Series(False, index=result.index)
        if known.any():
            visible[known] = current_scope().mask(snap.unified.loc[ids[known]])
        result[id_column] = pd.Series(
            [worker if shown else None for worker, shown in zip(ids, visible, strict=True)],
            index=result.index,
            dtype=object,
        )
        result.insert(0, "Baris", listed.source_rows.to_numpy())
        columns, header_row = listed.columns, listed.header_row
        out_path = directory / f"{token}_hasil.xlsx"
        checklist.write_checked(formula_safe(result), out_path)
        session["cek_daftar"] = {"token": token, "name": Path(display_name).stem + "_hasil_cek.xlsx"}
        audit(
            "web_cek_daftar",
            filters={
                "list_file": display_name,
                "columns": columns,
                "header_row": header_row,
                "snapshot_date": snap.date.isoformat(),
            },
            row_count=len(result),
            output_file=out_path,
        )
        source.unlink(missing_ok=True)
        counts = result[checklist.RESULT_COLUMNS[0]].value_counts()
        return render_template(
            "cek_daftar.html",
            result=result,
            columns=columns,
            header_row=header_row,
            file_name=display_name,
            counts=[(status, int(counts.get(status, 0))) for status in vocabulary.CHECK_STATUS],
            checked_count=int(len(result) - counts.get(checklist.STATUS_NOT_CHECKED, 0)),
            visible=visible,
        )

    @app.get("/cek-daftar/unduh")
    @roles_required(ADMIN, BRANCH, AREA)
    def cek_daftar_unduh():
        stored = session.get("cek_daftar")
        if not stored or not re.fullmatch(r"[0-9a-f]{24}", stored.get("token", "")):
            abort(404)
        path = ext("sp_upload_dir") / f"{stored['token']}_hasil.xlsx"
        if not path.exists():
            abort(404)
        audit("web_unduh_cek_daftar", filters={"list_file": stored["name"]}, row_count=0, output_file=path)
        return send_file(
            path,
            as_attachment=True,
            download_name=stored["name"],
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    # -------------------------------------------------------------------------------------- Tindak lanjut

    @app.post("/tindak-lanjut/tugaskan")
    @roles_required(ADMIN, BRANCH, AREA)
    def tugaskan():
        agent = db().get(Account, request.form.get("agen", type=int) or -1)
        if agent is None or agent.role != AGENT or not agent.active:
            flash(_("Pilih agen PERISAI."), "error")
            return redirect(request.referrer or url_for("daftar"))
        worker_ids = [w for w in request.form.getlist("worker_id") if w]
        snap = snapshot()
        known = [w for w in worker_ids if w in snap.unified.index]
        allowed = (
            snap.unified.loc[known][current_scope().mask(snap.unified.loc[known])] if known else snap.unified.iloc[:0]
        )
        if len(allowed) != len(worker_ids):
            audit("web_tugaskan_ditolak", filters={"jumlah": len(worker_ids)}, row_count=0)
            abort(404)
        for worker_id, kecamatan in zip(allowed["worker_id"], allowed["kecamatan_code"], strict=True):
            existing = db().scalars(select(Assignment).where(Assignment.worker_id == worker_id)).first()
            if existing is None:
                db().add(
                    Assignment(
                        worker_id=worker_id,
                        agent_id=agent.id,
                        assigned_by=current_user.id,
                        kecamatan_code=None if pd.isna(kecamatan) else kecamatan,
                    )
                )
            else:
                existing.agent_id, existing.assigned_by, existing.assigned_at = agent.id, current_user.id, utcnow()
        db().commit()
        audit(
            "web_tugaskan",
            filters={"agen": agent.username, "worker_ids": list(allowed["worker_id"])},
            row_count=len(allowed),
        )
        flash(
            _(
                "%(n)s pekerja ditugaskan ke %(agent)s.",
                n=format_decimal(len(allowed)),
                agent=agent.full_name or agent.username,
            ),
            "ok",
        )
        return redirect(request.referrer or url_for("daftar"))

    @app.get("/tindak-lanjut")
    @login_required
    def tindak_lanjut():
        snap = snapshot()
        scope = current_scope()
        if current_user.role == AGENT:
            worker_ids = sorted(assigned_workers(current_user))
        else:
            rows = db().scalars(select(Assignment)).all()
            ids = [a.worker_id for a in rows if a.worker_id in snap.unified.index]
            frame = snap.unified.loc[ids]
            worker_ids = list(frame.loc[scope.mask(frame), "worker_id"]) if ids else []
        known = [w for w in worker_ids if w in snap.unified.index]
        people = snap.unified.loc[known]
        last = {}
        for outcome in db().scalars(
            select(Outcome).where(Outcome.worker_id.in_(known)).order_by(Outcome.visit_date, Outcome.id)
        ):
            last[outcome.worker_id] = outcome
        agents = {a.worker_id: a.agent for a in db().scalars(select(Assignment).where(Assignment.worker_id.in_(known)))}
        audit("web_tindak_lanjut", filters={"snapshot_date": snap.date.isoformat()}, row_count=len(people))
        conversions = (
            db()
            .scalars(
                select(Conversion).where(Conversion.worker_id.in_(known)).order_by(Conversion.snapshot_date.desc())
            )
            .all()
        )
        return render_template(
            "tindak_lanjut.html",
            people=people,
            last=last,
            agents=agents,
            regions=ext("sp_regions"),
            conversions=conversions,
        )

    @app.route("/tindak-lanjut/<worker_id>", methods=["GET", "POST"])
    @roles_required(AGENT)
    def kunjungan(worker_id: str):
        if worker_id not in assigned_workers(current_user):
            audit("web_kunjungan_ditolak", filters={"worker_id": worker_id}, row_count=0)
            abort(404)
        snap = snapshot()
        person = snap.worker(worker_id)
        if person is None:
            abort(404)
        if request.method == "POST":
            outcome = request.form.get("hasil", "")
            try:
                visit_date = dt.date.fromisoformat(request.form.get("tanggal", ""))
            except ValueError:
                visit_date = None
            note = request.form.get("catatan", "").strip()[:1000]
            if outcome not in OUTCOMES or visit_date is None or visit_date > dt.date.today() + dt.timedelta(days=1):
                flash(_("Pilih hasil kunjungan dan tanggal yang benar."), "error")
            else:
                db().add(
                    Outcome(
                        worker_id=worker_id, agent_id=current_user.id, outcome=outcome, visit_date=visit_date, note=note
                    )
                )
                db().commit()
                audit("web_catat_kunjungan", filters={"worker_id": worker_id, "hasil": outcome}, row_count=1)
                flash(_("Hasil kunjungan tersimpan."), "ok")
                return redirect(url_for("tindak_lanjut"))
        audit("web_kunjungan", filters={"worker_id": worker_id}, row_count=1)
        history = (
            db()
            .scalars(
                select(Outcome)
                .where(Outcome.worker_id == worker_id)
                .order_by(Outcome.visit_date.desc(), Outcome.id.desc())
            )
            .all()
        )
        return render_template(
            "kunjungan.html", person=person, regions=ext("sp_regions"), history=history, today=dt.date.today()
        )

    # -------------------------------------------------------------------------------------- Meja review

    def review_pairs(snap) -> pd.DataFrame:
        """The published queue's pairs the account may see (server-side area restriction)."""
        queue = snap.review_queue
        if queue is None:
            abort(503, description=_("Antrean review belum diterbitkan untuk snapshot ini."))
        return queue[current_scope().mask(queue)]

    @app.get("/review")
    @roles_required(ADMIN, BRANCH, AREA)
    def meja_review():
        snap = snapshot()
        visible = review_pairs(snap)
        filters = {
            name: request.args.get(name, "").strip()
            for name in ("kecamatan", "kelurahan")
            if request.args.get(name, "").strip()
        }
        selected = review.in_area(
            visible,
            [filters["kecamatan"]] if "kecamatan" in filters else [],
            [filters["kelurahan"]] if "kelurahan" in filters else [],
        )
        selected = review.open_pairs(selected, review.register_frame(db()))
        page = max(1, request.args.get("halaman", 1, type=int))
        pages = max(1, -(-len(selected) // PAGE_SIZE))
        page = min(page, pages)
        rows = selected.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        audit(
            "web_review_daftar",
            filters={**filters, "halaman": page, "snapshot_date": snap.date.isoformat()},
            row_count=len(rows),
        )
        regions = ext("sp_regions")
        return render_template(
            "review.html",
            rows=rows.to_dict("records"),
            total=len(selected),
            page=page,
            pages=pages,
            filters=filters,
            kecamatan_codes=sorted(visible["kecamatan_code"].dropna().unique()),
            kelurahan_codes=sorted(visible["kelurahan_code"].dropna().unique(), key=regions.name),
            regions=regions,
            reasons=review.REASON_LABELS,
            snapshot_date=snap.date,
        )

    @app.route("/review/<pair_id>", methods=["GET", "POST"])
    @roles_required(ADMIN, BRANCH, AREA)
    def review_pasangan(pair_id: str):
        snap = snapshot()
        visible = review_pairs(snap)
        if pair_id not in visible.index:
            audit("web_review_ditolak", filters={"pair_id": pair_id}, row_count=0)
            abort(404)
        pair = visible.loc[pair_id].to_dict()
        if request.method == "POST":
            decision = request.form.get("keputusan", "")
            who = review.ReviewerContext(f"web:{current_user.username}", f"web POST {request.path}", ext("sp_audit"))
            try:
                row = review.record_decision(
                    db(),
                    who,
                    pair,
                    decision,
                    request.form.get("alasan", ""),
                    snap.date,
                    load_pseudonymisation_key(ext("sp_settings").mode, ext("sp_settings").hmac_key).fingerprint,
                    ext("sp_audit").key,
                )
            except review.ReviewError as error:
                flash(str(error), "error")
            else:
                if row is None:
                    flash(_("Pasangan dilewati."), "info")
                else:
                    flash(_("Keputusan tersimpan; berlaku mulai malam berikutnya."), "ok")
                return redirect(url_for("meja_review"))
        audit("web_review_lihat", filters={"pair_id": pair_id, "snapshot_date": snap.date.isoformat()}, row_count=2)
        regions = ext("sp_regions")
        fields = []
        for field, label, left, right, agree in review.side_by_side(pair):
            if field in ("nik", "kk"):
                left, right = _mask_one(left), _mask_one(right)
            elif field in ("kelurahan_code", "kecamatan_code"):
                left, right = regions.name(left), regions.name(right)
            else:
                left, right = _text(left), _text(right)
            fields.append((label, left, right, agree))
        low, high = sorted((pair["record_hash_l"], pair["record_hash_r"]))
        register = review.register_frame(db())
        earlier = register[register["record_hash_low"].eq(low) & register["record_hash_high"].eq(high)]
        return render_template(
            "review_pasangan.html",
            pair=pair,
            fields=fields,
            comparisons=review.comparisons(pair),
            reason=review.REASON_LABELS.get(pair["reason"], pair["reason"]),
            earlier=earlier.to_dict("records"),
            labels=review.DECISION_LABELS,
            snapshot_date=snap.date,
        )

    # -------------------------------------------------------------------------------------- Ringkasan

    @app.get("/ringkasan")
    @roles_required(ADMIN, BRANCH, AREA)
    def ringkasan():
        snap = snapshot()
        scope = current_scope()
        regions = ext("sp_regions")
        coverage = snap.coverage
        kecamatan_rows = kelurahan_rows = pd.DataFrame()
        if coverage is not None:
            kecamatan_rows = coverage[
                coverage["level"].eq("kecamatan") & coverage["kecamatan_code"].map(scope.allows_kecamatan)
            ]
            kelurahan_rows = coverage[coverage["level"].eq("kelurahan")]
            if not scope.all_city:
                kelurahan_rows = kelurahan_rows[
                    kelurahan_rows["kecamatan_code"].isin(scope.kecamatan)
                    | kelurahan_rows["kelurahan_code"].isin(scope.kelurahan)
                ]
        nights = db().scalars(select(FunnelNight).order_by(FunnelNight.snapshot_date)).all()
        nights = [n for n in nights if scope.allows_kecamatan(n.kecamatan_code)]
        by_night: dict[dt.date, dict[str, int]] = {}
        for night in nights:
            totals = by_night.setdefault(
                night.snapshot_date, dict.fromkeys(("listed", "assigned", "reached", "registered", "active_now"), 0)
            )
            for key in totals:
                totals[key] += getattr(night, key)
        latest = by_night[max(by_night)] if by_night else None
        stages = [
            ("Terdaftar di daftar", "listed"),
            ("Ditugaskan", "assigned"),
            ("Dihubungi", "reached"),
            ("Mendaftar", "registered"),
            ("Masih membayar (aktif)", "active_now"),
        ]
        funnel_svg = (
            charts.funnel([label for label, _key in stages], [latest[key] for _label, key in stages]) if latest else ""
        )
        trend_svg = (
            charts.lines(
                [format_date(day, "d MMM") for day in by_night],
                {label: [totals[key] for totals in by_night.values()] for label, key in stages[2:]},
            )
            if by_night
            else ""
        )
        coverage_svg = (
            charts.stacked(
                [regions.name(code) for code in kecamatan_rows.get("kecamatan_code", [])],
                list(kecamatan_rows.get("covered", [])),
                list(kecamatan_rows.get("uncovered", [])),
            )
            if len(kecamatan_rows)
            else ""
        )
        kelurahan_svg = (
            charts.stacked(
                [str(name) for name in kelurahan_rows.get("kelurahan", [])],
                list(kelurahan_rows.get("covered", [])),
                list(kelurahan_rows.get("uncovered", [])),
            )
            if len(kelurahan_rows) and not scope.all_city
            else ""
        )
        return render_template(
            "ringkasan.html",
            snapshot_date=snap.date,
            kecamatan_rows=kecamatan_rows,
            kelurahan_rows=kelurahan_rows,
            funnel_svg=Markup(funnel_svg),
            trend_svg=Markup(trend_svg),
            coverage_svg=Markup(coverage_svg),
            kelurahan_svg=Markup(kelurahan_svg),
            latest=latest,
            stages=stages,
            by_night=by_night,
            regions=regions,
        )

    # -------------------------------------------------------------------------------------- Akun (admin)

    @app.route("/admin/akun", methods=["GET", "POST"])
    @roles_required(ADMIN)
    def admin_akun():
        regions = ext("sp_regions")
        if request.method == "POST":
            action = request.form.get("aksi")
            if action == "buat":
                try:
                    create_account(
                        db(),
                        request.form.get("username", ""),
                        request.form.get("password", ""),
                        request.form.get("peran", ""),
                        request.form.getlist("wilayah"),
                        request.form.get("nama", ""),
                    )
                    flash(_("Akun dibuat."), "ok")
                except AccountError as error:
                    flash(str(error), "error")
            elif action in ("nonaktifkan", "aktifkan"):
                account = db().get(Account, request.form.get("id", type=int) or -1)
                if account is not None and account.id != current_user.id:
                    account.active = action == "aktifkan"
                    db().commit()
                    flash(_("Akun diperbarui."), "ok")
            elif action == "sandi":
                account = db().get(Account, request.form.get("id", type=int) or -1)
                try:
                    if account is None:
                        raise AccountError("akun tidak ada")
                    account.set_password(request.form.get("password", ""))
                    db().commit()
                    flash(_("Kata sandi diganti."), "ok")
                except (AccountError, WeakPasswordError) as error:
                    flash(str(error), "error")
            return redirect(url_for("admin_akun"))
        accounts = db().scalars(select(Account).order_by(Account.username)).all()
        return render_template("admin_akun.html", accounts=accounts, regions=regions, roles=ROLES)


#: Marked lists wait this long for their download, then are deleted (they hold personal data).
UPLOAD_KEEP_SECONDS = 3600


def remove_stale_uploads(directory: Path) -> None:
    cutoff = time.time() - UPLOAD_KEEP_SECONDS
    for path in directory.glob("*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            continue


class AccountError(ValueError):
    """A bad account request (name taken, unknown role or area, weak password); the message is for staff."""


def create_account(
    database: Session, username: str, password: str, role: str, areas: list[str], full_name: str = ""
) -> Account:
    """Create an account; area staff need at least one kecamatan or kelurahan (name or Kemendagri code)."""
    username = username.strip().lower()
    if not re.fullmatch(r"[a-z0-9._-]{3,64}", username):
        raise AccountError("nama pengguna 3–64 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung")
    if role not in ROLES:
        raise AccountError(f"peran {role!r} tidak dikenal; pilih salah satu: {', '.join(ROLES)}")
    if find_account(database, username) is not None:
        raise AccountError(f"nama pengguna {username!r} sudah dipakai")
    codes = resolve_areas(areas)
    if role == AREA and not codes:
        raise AccountError("staf wilayah perlu minimal satu kecamatan atau kelurahan")
    if role != AREA and codes:
        raise AccountError("wilayah hanya untuk peran staf wilayah")
    account = Account(username=username, full_name=full_name.strip(), role=role, areas=",".join(codes), active=True)
    try:
        account.set_password(password)
    except WeakPasswordError as error:
        raise AccountError(str(error)) from None
    database.add(account)
    database.commit()
    return account


def resolve_areas(areas: list[str]) -> list[str]:
    """Kecamatan/kelurahan names or Kemendagri codes → codes. ``Kelurahan@Kecamatan`` picks a kelurahan whose
    name exists in two kecamatan (Curug)."""
    regions = Regions()
    codes = []
    for area in (a.strip() for a in areas if a and a.strip()):
        if area in regions.kecamatan or area in regions.kelurahan:
            codes.append(area)
            continue
        kecamatan = regions.kecamatan_by_name(area)
        if kecamatan is not None:
            codes.append(kecamatan)
            continue
        name, _, within = area.partition("@")
        matches = [
            code
            for code, label in regions.kelurahan.items()
            if label.casefold() == name.strip().casefold()
            and (
                not within
                or regions.kecamatan.get(regions.kecamatan_of[code], "").casefold() == within.strip().casefold()
            )
        ]
        if len(matches) != 1:
            hint = " (nama ini ada di lebih dari satu kecamatan: tulis Kelurahan@Kecamatan)" if len(matches) > 1 else ""
            raise AccountError(f"wilayah {area!r} tidak dikenal{hint}")
        codes.append(matches[0])
    return sorted(set(codes))


@functools.cache
def role_book(contracts_dir: Path) -> RoleBook:
    """The roles (source survivorship ranks) of the contracts in force, read once per folder and process."""
    return RoleBook.from_contracts(load_contracts(contracts_dir))


@functools.cache
def source_labels(contracts_dir: Path) -> dict[str, str]:
    """Each source's name for staff (the contract's ``label``), read once per folder and process."""
    return {source: contract.display_name for source, contract in load_contracts(contracts_dir).items()}


#: Coded fields of the source records and the vocabulary that labels them.
CODED_FIELDS = {
    "sector": vocabulary.SECTOR,
    "sex": vocabulary.SEX,
    "jkn_segment": vocabulary.JKN_SEGMENT,
    "jkn_status": vocabulary.MEMBER_STATUS,
    "tk_segment": vocabulary.TK_SEGMENT,
    "tk_status": vocabulary.MEMBER_STATUS,
}


def person_profile(snap, worker: pd.Series) -> dict:
    """The golden record, source records side by side, link evidence and id history of one worker, as plain
    Python values for the template (small frames only: the snapshot's position indexes find the rows)."""
    regions = ext("sp_regions")
    sources = source_labels(ext("sp_settings").contracts_dir)
    worker_id = worker["worker_id"]
    links = snap.worker_links(worker_id)
    links = links.assign(link_probability=link_probability(links))
    record_ids = list(links["record_id"])
    records = snap.records(record_ids)
    records = pd.DataFrame() if records is None else records
    if len(records):
        records = (
            records.assign(_rank=source_rank(records["source"], role_book(ext("sp_settings").contracts_dir)))
            .sort_values(["_rank", "record_id"])
            .drop(columns="_rank")
        )
    pairs = snap.pairs_for(record_ids)
    if pairs is None:  # the night publishes no scored pairs: score them with the published model and features
        pairs = checklist.pairs_scored_with_published_model(
            snap.warehouse, snap.date, records, record_ids, ext("sp_match_settings")
        )
    pairs = pd.DataFrame() if pairs is None else pairs.sort_values("match_weight", ascending=False)
    profile = lookup.WorkerProfile(worker=worker, records=records, links=links, pairs=pairs)
    records = profile.records
    record_heads = [
        (vocabulary.label(sources, source), str(record_id))
        for source, record_id in zip(records.get("source", []), records.get("record_id", []), strict=True)
    ]
    record_rows = []
    for field in lookup.RECORD_FIELDS:
        if field not in records.columns or not records[field].notna().any():
            continue
        raw = records[field].tolist()
        if field == "nik":
            shown = [_mask_one(value) for value in raw]
        elif field == "kelurahan_code":
            shown = [regions.name(value) for value in raw]
        elif field == "source":
            shown = [vocabulary.label(sources, value) for value in raw]
        elif field in CODED_FIELDS:
            shown = [vocabulary.label(CODED_FIELDS[field], value) for value in raw]
        else:
            shown = [_text(value) for value in raw]
        distinct = {
            str(value) for value in raw if value is not None and not (pd.api.types.is_scalar(value) and pd.isna(value))
        }
        record_rows.append((vocabulary.FIELD_LABELS.get(field, field), shown, len(distinct) <= 1))
    links_rows = [(row["record_id"], _text(row.get("link_probability"))) for row in profile.links.to_dict("records")]
    pairs_rows = []
    for pair in profile.pairs.to_dict("records"):
        comparisons = [
            (
                vocabulary.FIELD_LABELS.get(key[2:], key[2:]),
                _text(pair.get("level_" + key[2:])),
                float(value) if pd.notna(value) else None,
            )
            for key, value in pair.items()
            if key.startswith("w_")
        ]
        pairs_rows.append(
            {
                "left": pair["record_id_l"],
                "right": pair["record_id_r"],
                "probability": _text(pair.get("match_probability")),
                "weight": _text(pair.get("match_weight")),
                "comparisons": comparisons,
            }
        )
    history_columns, history_rows = [], []
    history = snap.history_of(worker_id)
    if history is not None:
        history_columns = [vocabulary.HISTORY_COLUMNS.get(column, column) for column in history.columns]
        events = list(history.columns).index("event") if "event" in history.columns else None
        history_rows = [
            [
                vocabulary.label(vocabulary.HISTORY_EVENT, value) if position == events else _text(value)
                for position, value in enumerate(row)
            ]
            for row in history.itertuples(index=False, name=None)
        ]
    return {
        "worker": worker,
        "record_heads": record_heads,
        "record_rows": record_rows,
        "links_rows": links_rows,
        "pairs_rows": pairs_rows,
        "history_columns": history_columns,
        "history_rows": history_rows,
    }

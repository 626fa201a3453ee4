"""``satupekerja akun …``: manage web accounts from the command line (the first administrator comes from here).

The password is asked for at the prompt (twice, hidden) unless ``--password-stdin`` reads it from standard
input; it never goes on the command line.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from satupekerja.settings import Settings
from satupekerja.web.models import ROLE_LABELS, ROLES, Account, WeakPasswordError, find_account, make_engine

akun_app = typer.Typer(help="Akun aplikasi web: buat, daftar, nonaktifkan, ganti kata sandi.", no_args_is_help=True)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("Kata sandi", hide_input=True, confirmation_prompt="Ulangi kata sandi")


@akun_app.command("buat")
def buat(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Nama pengguna (huruf kecil, angka, . _ -).")],
    peran: Annotated[str, typer.Option("--peran", help=f"Peran: {', '.join(ROLES)}.")],
    wilayah: Annotated[
        list[str] | None,
        typer.Option("--wilayah", help="Kecamatan/kelurahan (nama atau kode) untuk staf wilayah; boleh berulang."),
    ] = None,
    nama: Annotated[str, typer.Option("--nama", help="Nama lengkap.")] = "",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Baca kata sandi dari stdin.")] = False,
) -> None:
    """Buat akun baru."""
    from satupekerja.web.app import AccountError, create_account

    engine = _engine(ctx)
    with Session(engine) as session:
        try:
            account = create_account(session, username, _password(password_stdin), peran, wilayah or [], nama)
        except AccountError as error:
            typer.echo(f"Galat: {error}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"Akun {account.username} ({ROLE_LABELS[account.role]}) dibuat.")


@akun_app.command("daftar")
def daftar(ctx: typer.Context) -> None:
    """Tampilkan semua akun."""
    with Session(_engine(ctx)) as session:
        for account in session.scalars(select(Account).order_by(Account.username)):
            state = "aktif" if account.active else "nonaktif"
            typer.echo(f"{account.username}\t{account.role}\t{account.areas or '-'}\t{state}")


@akun_app.command("nonaktifkan")
def nonaktifkan(ctx: typer.Context, username: str) -> None:
    """Nonaktifkan akun (tidak bisa masuk lagi; riwayatnya tetap)."""
    _set_active(ctx, username, False)


@akun_app.command("aktifkan")
def aktifkan(ctx: typer.Context, username: str) -> None:
    """Aktifkan kembali akun."""
    _set_active(ctx, username, True)


@akun_app.command("sandi")
def sandi(
    ctx: typer.Context,
    username: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Baca kata sandi dari stdin.")] = False,
) -> None:
    """Ganti kata sandi akun."""
    with Session(_engine(ctx)) as session:
        account = _get(session, username)
        try:
            account.set_password(_password(password_stdin))
        except WeakPasswordError as error:
            typer.echo(f"Galat: {error}", err=True)
            raise typer.Exit(1) from None
        session.commit()
        typer.echo(f"Kata sandi {username} diganti.")


def _get(session: Session, username: str) -> Account:
    account = find_account(session, username.strip().lower())
    if account is None:
        typer.echo(f"Galat: akun {username!r} tidak ada", err=True)
        raise typer.Exit(1)
    return account


def _set_active(ctx: typer.Context, username: str, active: bool) -> None:
    with Session(_engine(ctx)) as session:
        _get(session, username).active = active
        session.commit()
        typer.echo(f"Akun {username} {'aktif' if active else 'nonaktif'}.")


def _engine(ctx: typer.Context):
    """The web database of the running command (``Settings.web_db_url``): the settings the ``satupekerja`` command
    read at its start ride on the context (``ctx.obj``); this sub-app, run on its own, reads them itself (an edge)."""
    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.from_env()
    return make_engine(settings.web_db_url)

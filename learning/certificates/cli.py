"""``flask --app app certificates keys generate|rotate|list``: the credential signing keys."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from learning.certificates import keys
from learning.db import db


@click.group("certificates", cls=AppGroup)
def certificates_cli() -> None:
    """Certificates and their Open Badges signing keys."""


@certificates_cli.group("keys", cls=AppGroup)
def keys_cli() -> None:
    """The Ed25519 keys that sign Open Badges credentials."""


@keys_cli.command("generate")
def generate() -> None:
    """Create the signing key if there is no active one (otherwise show it)."""
    existing = keys.current_key()
    if existing is not None:
        click.echo(f"An active key already exists: {existing.key_id} ({keys.key_url(existing)}). "
                   "Use `certificates keys rotate` to replace it.")
        return
    key = keys.generate_key()
    db.session.commit()
    click.echo(f"Generated key {key.key_id}: {keys.key_url(key)}")


@keys_cli.command("rotate")
def rotate() -> None:
    """Make a new key the signer; the previous one is retired but stays published, so the
    credentials it signed still verify."""
    key = keys.rotate_key()
    db.session.commit()
    click.echo(f"New active key {key.key_id}: {keys.key_url(key)}")


@keys_cli.command("list")
def list_keys() -> None:
    """Every key, oldest first, with its state and public address."""
    listed = keys.all_keys()
    if not listed:
        click.echo("No signing key yet (one is created on first use).")
    for key in listed:
        state = f"retired {key.retired_at:%Y-%m-%d %H:%M}" if key.retired_at else "active"
        click.echo(f"{key.key_id}\t{key.created_at:%Y-%m-%d %H:%M}\t{state}\t{keys.key_url(key)}")

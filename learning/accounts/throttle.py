"""Counting events per key in a time window, shared by every worker process.

Redis when ``TANDEM_REDIS_URL`` is set (a fixed window per key), otherwise the database
(``throttle_hits`` rows in a sliding window). Keys are hashed: no e-mail address or IP is
stored in clear for this purpose.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Protocol

from flask import current_app
from sqlalchemy import delete, func, select

from learning.accounts.models import ThrottleHit
from learning.db import db, utcnow


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Throttle(Protocol):
    def hit(self, bucket: str, key: str, window: timedelta) -> None: ...
    def count(self, bucket: str, key: str, window: timedelta) -> int: ...
    def clear(self, bucket: str, key: str) -> None: ...


class DatabaseThrottle:
    def hit(self, bucket: str, key: str, window: timedelta) -> None:
        session = db.session()
        session.add(ThrottleHit(bucket=bucket, key=_digest(key)))
        # Old rows are useless; trim them as we go instead of needing a cron job.
        session.execute(
            delete(ThrottleHit).where(ThrottleHit.created_at < utcnow() - 4 * window)
        )

    def count(self, bucket: str, key: str, window: timedelta) -> int:
        query = select(func.count(ThrottleHit.id)).where(
            ThrottleHit.bucket == bucket,
            ThrottleHit.key == _digest(key),
            ThrottleHit.created_at >= utcnow() - window,
        )
        return int(db.session.scalar(query) or 0)

    def clear(self, bucket: str, key: str) -> None:
        db.session.execute(
            delete(ThrottleHit).where(ThrottleHit.bucket == bucket, ThrottleHit.key == _digest(key))
        )


class RedisThrottle:
    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def _name(self, bucket: str, key: str) -> str:
        return f"tandem:throttle:{bucket}:{_digest(key)}"

    def hit(self, bucket: str, key: str, window: timedelta) -> None:
        name = self._name(bucket, key)
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, int(window.total_seconds()), nx=True)
        pipe.execute()

    def count(self, bucket: str, key: str, window: timedelta) -> int:
        value: bytes | None = self._redis.get(self._name(bucket, key))  # type: ignore[assignment]
        return int(value) if value else 0

    def clear(self, bucket: str, key: str) -> None:
        self._redis.delete(self._name(bucket, key))


def throttle() -> Throttle:
    app = current_app
    instance = app.extensions.get("tandem_throttle")
    if instance is None:
        url = app.config.get("REDIS_URL")
        instance = RedisThrottle(url) if url else DatabaseThrottle()
        app.extensions["tandem_throttle"] = instance
    return instance

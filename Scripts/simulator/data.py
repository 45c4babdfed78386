"""Seeded, deterministic key data, built lazily.

Why lazy: a memory benchmark runs the simulator with 100,000 fal keys. Keeping
100,000 dicts would cost ~100 MB and seconds of start-up, so a seeded key is
kept as its index (an int) and only turned into a dict when a response needs it.
Every field of seeded key i comes from `rng(seed, provider, i)`, so the same
seed and counts give byte-identical responses in every run; timestamps count
back from a fixed BASE_TIME, never from the clock. Keys created through the API
(and seeded keys edited through it) are kept as dicts; their timestamps are
real ones and their secrets come from `secrets`, so those differ per run.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timezone
from typing import Callable

# Seeded keys were created in the two years before this instant, newest first.
BASE_TIME = int(datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc).timestamp())
_SPAN = 2 * 365 * 24 * 3600

# People who "created" keys, shared by all providers: (name, nickname, email).
# Some non-ASCII on purpose, so clients get to render and search UTF-8.
PEOPLE = [
    ("Ada Lovelace", "ada", "ada@example.com"),
    ("Grace Hopper", "grace", "grace.hopper@example.com"),
    ("Alan Turing", "aturing", "alan.turing@example.org"),
    ("Margaret Hamilton", "mham", "margaret@example.com"),
    ("Zoë Müller", "zoe", "zoe.mueller@example.de"),
    ("Søren Dahl", "soren", "soren.dahl@example.dk"),
    ("Priya Natarajan", "priya", "priya.n@example.in"),
    ("Kenji Watanabe", "kenji", "kenji.watanabe@example.jp"),
]

_KEY_WORDS = ["Production", "Staging", "Development", "CI", "Batch render", "Webhook worker",
              "Local testing", "Data pipeline", "Mobile app", "Analytics", "Nightly eval", "Support bot"]
_ODD_NAMES = ["Équipe vidéo", "画像生成 worker", "Zürich edge 🚀", "Ünïcode — test"]


def rng(seed: int, provider: str, index: int) -> random.Random:
    """The random stream for one seeded key."""
    return random.Random(f"{seed}/{provider}/{index}")


def digest(seed: int, provider: str, index: int, salt: str = "") -> str:
    """64 hex digits that identify seeded key `index` (cheap: used for every id at start-up)."""
    return hashlib.sha256(f"{seed}/{provider}/{index}/{salt}".encode()).hexdigest()


def as_uuid(hex32: str) -> str:
    """Format 32 hex digits as a version-4 style UUID."""
    h = hex32[:12] + "4" + hex32[13:16] + "89ab"[int(hex32[16], 16) % 4] + hex32[17:32]
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def created_epoch(r: random.Random, index: int, count: int) -> int:
    """Creation time of seeded key `index`: strictly older as the index grows."""
    step = max(2.0, _SPAN / max(count, 1))
    return BASE_TIME - int(index * step) - r.randrange(int(step // 2))


def key_name(r: random.Random, index: int) -> str:
    if index % 17 == 5:
        return _ODD_NAMES[(index // 17) % len(_ODD_NAMES)]
    return f"{r.choice(_KEY_WORDS)} key {index + 1}"


def unique_ids(count: int, make: Callable[[int, str], str]) -> list[str]:
    """count ids from make(index, salt); re-salts the (astronomically rare) duplicate."""
    ids, seen = [], set()
    for i in range(count):
        salt, value = "", make(i, "")
        while value in seen:
            salt += "x"
            value = make(i, salt)
        seen.add(value)
        ids.append(value)
    return ids


class KeyStore:
    """Keys in list order (newest first), addressed by their id.

    Internally each key has a handle: seeded key i is handle i and is built by
    `build(i)` on demand; created keys get new handles; created or edited keys
    are stored as dicts in `_objects`.
    """

    def __init__(self, ids: list[str], build: Callable[[int], dict]):
        self._build = build
        self._order: list[int] = list(range(len(ids)))
        self._handle = {key_id: i for i, key_id in enumerate(ids)}
        self._objects: dict[int, dict] = {}
        self._next = len(ids)
        self.version = 0  # bumped by every change, for callers that cache views of the list

    def __len__(self) -> int:
        return len(self._order)

    @property
    def handles(self) -> list[int]:
        """Handles in list order. Do not mutate."""
        return self._order

    def is_seeded(self, handle: int) -> bool:
        """True while the key is exactly as seeded (never edited)."""
        return handle not in self._objects

    def get(self, handle: int) -> dict:
        obj = self._objects.get(handle)
        return dict(obj) if obj is not None else self._build(handle)

    def find(self, key_id: str) -> int | None:
        return self._handle.get(key_id)

    def position(self, handle: int) -> int:
        return self._order.index(handle)

    def page(self, start: int, stop: int) -> list[dict]:
        return [self.get(h) for h in self._order[max(start, 0):max(stop, 0)]]

    def add_first(self, key_id: str, obj: dict) -> None:
        handle = self._next
        self._next += 1
        self._handle[key_id] = handle
        self._objects[handle] = dict(obj)
        self._order.insert(0, handle)
        self.version += 1

    def replace(self, handle: int, obj: dict) -> None:
        self._objects[handle] = dict(obj)
        self.version += 1

    def remove(self, key_id: str) -> bool:
        handle = self._handle.pop(key_id, None)
        if handle is None:
            return False
        self._order.remove(handle)
        self._objects.pop(handle, None)
        self.version += 1
        return True


class SeededProvider:
    """What every simulated provider shares: its seeded keys, rebuilt by reset().

    A subclass names itself (`name`), says how the i-th key's id is spelled
    (`make_id`, given a salt to retry on a collision) and builds the key's
    object (`_build`); the store holds the ids and builds objects on demand.
    """

    name = ""

    def __init__(self, seed: int, count: int):
        self.seed, self.count = seed, count
        self.reset()

    def make_id(self, i: int, salt: str) -> str:
        raise NotImplementedError

    def _build(self, i: int) -> dict:
        raise NotImplementedError

    def reset(self) -> None:
        self._ids = unique_ids(self.count, self.make_id)
        self.store = KeyStore(self._ids, self._build)

"""Short codes people type or read aloud: receipt codes and invitation codes."""
from __future__ import annotations

import random
import secrets

# No 0/O, 1/I/L, 5/S, 8/B: codes are read over the phone and copied from paper.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY234679"


def short_code(groups: int = 3, size: int = 4, rng: random.Random | None = None) -> str:
    """A code like ``K7QX-3MPD-W9TA``; cryptographically random unless ``rng`` is given."""
    choice = rng.choice if rng is not None else secrets.choice
    return "-".join("".join(choice(ALPHABET) for _ in range(size)) for _ in range(groups))


def normalise_code(text: str) -> str:
    """Accept codes typed with spaces, lower case or without dashes."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))

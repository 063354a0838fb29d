"""Public case codes: short, unambiguous, easy to read out on the phone."""

from __future__ import annotations

import re
import secrets
from typing import Final

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX: Final = "R"
BODY_LENGTH: Final = 6
CODE_PATTERN: Final = re.compile(rf"^{PREFIX}[{ALPHABET}]{{{BODY_LENGTH}}}$")


def new_case_code() -> str:
    """A fresh random case code such as R7K3M9Q."""
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))


def normalise_case_code(raw: str) -> str | None:
    """The case code in user input (any case, stray spaces), or None when it is not one."""
    candidate = raw.strip().upper().replace(" ", "").replace("-", "")
    return candidate if CODE_PATTERN.match(candidate) else None


def new_token(length: int = 6) -> str:
    """A short random token for flow ids and invite codes."""
    return "".join(secrets.choice(ALPHABET.lower() + "23456789") for _ in range(length))

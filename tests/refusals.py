"""Checking that a reader refuses a file: one message naming the file and how to fix it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from stpgeo import StpgeoError


def refusal(read: Callable[[Path], object], path: Path, text: str) -> str:
    """The message ``read`` refuses a file holding ``text`` with (it names the file and says
    how to fix it)."""
    path.write_text(text)
    with pytest.raises(StpgeoError, match=re.escape(str(path))) as info:
        read(path)
    assert info.value.fix
    return str(info.value)

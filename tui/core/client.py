"""The HTTP client the sources share, created (and httpx imported) only when one really sends:
a ``status`` answered from the shared cache never pays for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx


class LazyClient:
    """Stands in for the httpx client until a source first uses it."""

    def __init__(self, factory: Callable[[], httpx.AsyncClient]) -> None:
        self._factory = factory
        self.created: httpx.AsyncClient | None = None

    def __getattr__(self, name: str) -> Any:
        if self.created is None:
            self.created = self._factory()
        return getattr(self.created, name)

# Excerpt from SQLAlchemy 2.0.36, lib/sqlalchemy/orm/collections.py (MIT licence)
from ..util.typing import Protocol


class _CollectionConverterProtocol(Protocol):
    def __call__(self, collection: _COL) -> _COL: ...

# Excerpt from SQLAlchemy 2.0.36, lib/sqlalchemy/ext/associationproxy.py (MIT licence)
class _AssociationList(_AssociationSingleItem[_T], MutableSequence[_T]):
    def reverse(self) -> NoReturn:
        """Not supported, use reversed(mylist)"""

        raise NotImplementedError()

    def sort(self) -> NoReturn:
        """Not supported, use sorted(mylist)"""

        raise NotImplementedError()

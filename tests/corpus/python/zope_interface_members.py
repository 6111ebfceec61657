# Excerpt from zope.interface 7.2, src/zope/interface/interfaces.py (ZPL-2.1 licence)
from zope.interface.interface import Interface


class IElement(Interface):
    def getTaggedValue(tag):
        """Returns the value associated with *tag*.

        Raise a `KeyError` if the tag isn't set.

        If the object has a notion of inheritance, this searches
        through the inheritance hierarchy and returns the nearest result.
        If there is no such notion, this looks only at this object.

        .. versionchanged:: 4.7.0
           This method should respect inheritance if present.
        """

    def queryTaggedValue(tag, default=None):
        """
        As for `getTaggedValue`, but instead of raising a `KeyError`, returns
        *default*.


        .. versionchanged:: 4.7.0
           This method should respect inheritance if present.
        """


# Excerpt from docutils 0.21.2, docutils/nodes.py (public domain)
class Node:
    def copy(self):
        """Return a copy of self."""
        raise NotImplementedError

    def astext(self):
        """Return a string representation of this Node."""
        raise NotImplementedError


class Text(Node, str):
    def copy(self):
        return self.__class__(str(self))

    def astext(self):
        return str(unescape(self))

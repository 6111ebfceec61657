# Excerpt from Twisted 24.11.0, src/twisted/internet/testing.py (MIT licence)
class MemoryReactor:
    def resolve(self, name, timeout=10):
        """
        Not implemented; raises L{NotImplementedError}.
        """
        raise NotImplementedError()

# Excerpt from Twisted 24.11.0, src/twisted/names/client.py (MIT licence)
class AXFRController:
    timeoutCall = None

    def __init__(self, name, deferred):
        self.name = name
        self.deferred = deferred
        self.soa = None
        self.records = []
        self.pending = [(deferred,)]

    def connectionLost(self, protocol):
        # XXX Do something here - see #3428
        pass

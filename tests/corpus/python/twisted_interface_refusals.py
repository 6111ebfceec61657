# Excerpt from Twisted 24.11.0, src/twisted/conch/insults/helper.py (MIT licence)
class TerminalBuffer(protocol.Protocol):
    def getHost(self):
        # ITransport.getHost
        raise NotImplementedError("Unimplemented: TerminalBuffer.getHost")

    def tabulationClear(self):
        # TerminalTransport.tabulationClear
        raise NotImplementedError("Unimplemented: TerminalBuffer.tabulationClear")

# Excerpt from Twisted 24.11.0, src/twisted/protocols/sip.py (MIT licence)
class MessagesParser(basic.LineReceiver):
    """
    A SIP messages parser.
    """

    def handleFirstLine(self, line):
        """
        Expected to create self.message.
        """
        raise NotImplementedError

# Excerpt from Twisted 24.11.0, src/twisted/protocols/sip.py (MIT licence)
class RegisterProxy(Proxy):
    def handle_ACK_request(self, message, host_port):
        # XXX
        # ACKs are a client's way of indicating they got the last message
        # Responding to them is not a good idea.
        # However, we should keep track of terminal messages and re-transmit
        # if no ACK is received.
        (host, port) = host_port
        pass

package net

type Listener struct{}

func (l *Listener) Close() {
	// TODO: close the accepted connections
	// and then the socket.
}

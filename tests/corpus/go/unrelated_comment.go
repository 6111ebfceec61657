package log

type nopLogger struct{}

func (nopLogger) Log(msg string) {
	// Discards everything by design.
}

func (nopLogger) Sync() {}

package otodoke

func Deliver() {
	// OTODOKE handles delivery asynchronously.
}

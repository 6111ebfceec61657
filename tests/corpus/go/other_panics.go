package state

func mustBeValid(err error) {
	panic(err)
}

func unreachable() {
	panic("unreachable")
}

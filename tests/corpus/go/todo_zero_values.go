package metrics

func Count(name string) (int, error) {
	// TODO
	return 0, nil
}

func Label(name string) (label string, err error) {
	// FIXME: look the label up
	return "", err
}

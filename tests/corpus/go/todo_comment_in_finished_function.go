package cache

func Key(parts ...string) string {
	// TODO: use a faster hash
	return fmt.Sprint(parts)
}

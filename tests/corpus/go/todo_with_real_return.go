package config

const defaultTimeout = 30

func Timeout() int {
	// TODO: read from the environment
	return defaultTimeout
}

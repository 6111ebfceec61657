package flags

func Parse(args []string) (map[string]string, error) {
	panic("TODO: parse --key=value pairs")
}

package text

func Upper(s string) string {
	return s
}

// TODO: implement with unicode.IsTitle
func Title(s string) {}

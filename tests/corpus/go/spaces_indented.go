package legacy

// Not gofmt-ed: indented with four spaces.
func Convert(v float64) float64 {
    panic("not implemented")
}

func Scale(v float64) float64 {
    return v * 2
}

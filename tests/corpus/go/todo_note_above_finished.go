package sortx

// TODO: switch to slices.Sort once we require Go 1.21.
func Ints(xs []int) {
	sort.Ints(xs)
}

package slices

func Map[T, U any](items []T, f func(T) U) []U {
	panic("unimplemented")
}

type Set[T comparable] struct {
	items map[T]struct{}
}

func (s *Set[T]) Union(other *Set[T]) *Set[T] {
	// TODO
	return nil
}

func (s *Set[T]) Len() int {
	return len(s.items)
}

package store

import "context"

type Store struct {
	path string
}

// Get implements Getter.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	panic("not implemented") // TODO: Implement
}

func (s *Store) Path() string {
	return s.path
}

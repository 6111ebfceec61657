package cache

type Cache struct {
	items map[string]any
}

func (c *Cache) Flush() error {
	// TODO: write items to disk
	return nil
}

export class Cache<K, V> {
  private map = new Map<K, V>();

  get(key: K): V | undefined {
    // TODO: evict stale entries
    return this.map.get(key);
  }
}

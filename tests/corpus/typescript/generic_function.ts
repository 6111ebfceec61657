export function groupBy<T, K extends PropertyKey>(items: readonly T[], key: (item: T) => K): Record<K, T[]> {
  throw new Error("Not implemented");
}

export function first<T>(items: T[]): T | undefined {
  return items[0];
}

export function toArray(value: string): string[];
export function toArray(value: number): number[];
export function toArray(value: string | number): unknown[] {
  return [value];
}

export function countWords(text: string): number {
  // TODO: split on Unicode word boundaries
  return 0;
}

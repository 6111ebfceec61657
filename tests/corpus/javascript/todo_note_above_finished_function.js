// TODO: make this faster for large inputs
export function sortNumbers(numbers) {
  return [...numbers].sort((a, b) => a - b);
}

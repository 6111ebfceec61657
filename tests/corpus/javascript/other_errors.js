export function assertNever(value) {
  throw new Error(`Unexpected value: ${value}`);
}

export function fail() {
  throw new TypeError('invalid state');
}

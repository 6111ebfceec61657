export function parse(input) {
  if (typeof input !== 'string') {
    throw new TypeError('input must be a string');
  }
  throw new Error('Not implemented');
}

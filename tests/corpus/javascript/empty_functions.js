export function noop() {}

export class Base {
  dispose() {}
}

export const identity = (x) => x;

export namespace Geometry {
  export function distance(a: [number, number], b: [number, number]): number {
    // FIXME: use Math.hypot
  }
}

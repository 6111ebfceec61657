export declare function notYetImplemented(): never;

export function looksLikeAStub(): void {
  throw new Error("Not implemented");
}

export function pad(value: string, width: number): string;
export function pad(value: number, width: number): string;
export function pad(value: string | number, width: number): string {
  throw new Error("TODO: pad with spaces");
}

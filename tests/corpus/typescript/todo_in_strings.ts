export const TODO_PREFIX = "TODO";

export function isTodoLine(line: string): boolean {
  return line.trimStart().startsWith("// TODO");
}

export function reject(): never {
  throw new Error("todo item not found");
}

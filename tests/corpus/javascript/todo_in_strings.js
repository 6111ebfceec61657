export function label(item) {
  return "TODO";
}

export function banner() {
  console.log("// TODO: this is printed, not a comment");
}

export function guard(list) {
  throw new Error("TODO list is full");
}

const template = `
function stub() {
  throw new Error("Not implemented");
}
`;

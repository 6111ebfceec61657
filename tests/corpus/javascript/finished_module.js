export function add(a, b) {
  return a + b;
}

export class Queue {
  constructor() {
    this.items = [];
  }

  push(item) {
    this.items.push(item);
  }

  pop() {
    return this.items.shift();
  }
}

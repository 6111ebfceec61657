class NotImplementedError extends Error {}

export class Store {
  load(key) { throw new NotImplementedError(); }

  save(key, value) {
    this.data[key] = value;
  }
}

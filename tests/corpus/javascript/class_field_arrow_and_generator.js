export class Feed {
  onScroll = (event) => {
    throw new Error("not implemented");
  };

  *entries() {
    // TODO: yield the entries
  }
}

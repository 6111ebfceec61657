export class Editor {
  private dirty = false;

  readonly save = async (path: string): Promise<void> => {
    // TODO: write the buffer to path
  };

  markDirty(): void {
    this.dirty = true;
  }
}

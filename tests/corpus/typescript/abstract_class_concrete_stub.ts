export abstract class Repository<T extends { id: string }> {
  protected abstract table: string;

  abstract find(id: string): Promise<T | undefined>;

  async findMany(ids: string[]): Promise<T[]> {
    throw new Error("not implemented");
  }
}

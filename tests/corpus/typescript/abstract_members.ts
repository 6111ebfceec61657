export abstract class Shape {
  abstract area(): number;
  protected abstract get name(): string;

  describe(): string {
    return `${this.name}: ${this.area()}`;
  }
}

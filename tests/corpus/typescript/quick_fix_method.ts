interface Shape {
  area(): number;
  perimeter(): number;
}

export class Square implements Shape {
  constructor(private readonly side: number) {}

  area(): number {
    return this.side * this.side;
  }

  perimeter(): number {
    throw new Error("Method not implemented.");
  }
}

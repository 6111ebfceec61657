export class Temperature {
  constructor(private celsius: number) {}

  get fahrenheit(): number { throw new Error("Not implemented"); }
}

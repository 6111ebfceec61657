export interface Service {
  start(): Promise<void>;
  stop(reason?: string): void;
  readonly name: string;
  handler: (event: Event) => void;
}

export type Factory = { create(): Service };

declare function gtag(command: string, ...args: unknown[]): void;

declare class LegacyWidget {
  render(): void;
}

declare module "legacy-lib" {
  export function init(options: object): void;
}

declare global {
  interface Window {
    analytics: unknown;
  }
}

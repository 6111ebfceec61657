export class Logger {
  debug(message: string): void {
    // no-op in production builds
  }

  /* deliberately empty */
  flush(): void {}
}

export function noop() {
  // intentionally empty: callers pass it as a default handler
}

export const onError = () => { /* ignored */ };

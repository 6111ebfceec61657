let ready = false; // TODO: read from config
export function start() {}

// TODO: remove the noop below once the new API ships

export function legacyHook() {}

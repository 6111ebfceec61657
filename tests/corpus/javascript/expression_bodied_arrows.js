const todo = () => null;

export const later = () => todo();

export const fail = () => { throw new Error("unreachable"); };

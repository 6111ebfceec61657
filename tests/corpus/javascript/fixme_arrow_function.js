const retry = async (fn, attempts) => {
  // FIXME: exponential backoff
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export { retry, sleep };

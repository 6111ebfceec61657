export function createClient(baseUrl: string) {
  const client = {
    get: async (path: string): Promise<Response> => {
      return fetch(baseUrl + path);
    },
    post(path: string, body: unknown): Promise<Response> {
      throw new Error("unimplemented");
    },
  };
  return client;
}

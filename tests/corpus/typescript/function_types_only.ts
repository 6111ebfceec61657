export type Handler = (request: Request) => Promise<Response>;

export interface Routes {
  [path: string]: Handler;
}

export const routes: Routes = {};

let later: () => void;

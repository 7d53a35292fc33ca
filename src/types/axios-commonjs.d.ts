/**
 * axios' CommonJS build, imported by its path (src/adapters/shared/http/axios.ts): the
 * package exports that path but declares types only for its main entry, which this is.
 */
declare module 'axios/dist/node/axios.cjs' {
  import type { AxiosStatic } from 'axios';

  const axios: AxiosStatic;
  export default axios;
}

import type { AxiosStatic } from 'axios';
import axiosCommonJs from 'axios/dist/node/axios.cjs';

/**
 * axios from its CommonJS build, for every module of the process: one file, where its ES module
 * build is some 60 files that Node's ES module loader took 60-100 ms more CPU to load, at every
 * start (issue 9). A static import (not createRequire) so that the bundle in dist/ includes it
 * (scripts/bundle.mjs). The same version and code; the types are the package's.
 */
export const axios: AxiosStatic = axiosCommonJs;

// Moved to src/ (the demo ships it); re-exported under the kit's names for the tests and the benchmark.
export {
  createAgent,
  send,
  type RawRequest as SupportRequest,
  type RawResponse as SupportResponse,
} from '../src/adapters/demo/image-push/http-request.js';

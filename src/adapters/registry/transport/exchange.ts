import { exchange, type ExchangeRequest, type ExchangeResponse } from './http-exchange.js';

/**
 * One HTTP exchange, as the registry client needs it (every status an answer, bytes for a
 * body, one deadline). The composition root binds the axios exchange; a test may bind another.
 */
export interface HttpExchange {
  exchange(request: ExchangeRequest): Promise<ExchangeResponse>;
}
export const HttpExchange = Symbol('HttpExchange');

/** The product's exchange: axios over node:http (http-exchange.ts). */
export const axiosExchange: HttpExchange = { exchange };

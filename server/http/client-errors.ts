// Requests Node's HTTP parser refuses before Express sees them (headers or an address over 16 KB, a broken request
// line, a request that never finishes arriving) get the contract's JSON error body too, instead of Node's bare
// status line. Written to the socket directly: there is no request or response object yet.
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody } from '../../shared/errors';

/** The status, code and words for a parser error (Node's own codes: HPE_* from llhttp, ERR_HTTP_*). */
export function clientErrorAnswer(err: { code?: string }): { status: number; body: ErrorBody } {
  if (err.code === 'HPE_HEADER_OVERFLOW') return { status: 431, body: { error: { code: 'HEADERS_TOO_LARGE', message: 'The request headers (its address included) are too large.' } } };
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, body: { error: { code: 'BAD_REQUEST', message: 'The request took too long to arrive.' } } };
  return { status: 400, body: { error: { code: 'BAD_REQUEST', message: 'The request could not be understood.' } } };
}

export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex & { _httpMessage?: { headersSent?: boolean } }) => {
    // A reset connection cannot be answered; nor can one whose response has already begun.
    if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) return void socket.destroy();
    const { status, body } = clientErrorAnswer(err);
    const json = JSON.stringify(body);
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`);
  });
}

// The poster's address on a socket, as Express computes req.ip: the same TRUST_PROXY rule for HTTP and sockets,
// so one poster has one rate-limit key whichever way they post.
import type { IncomingMessage } from 'node:http';
import express from 'express';
import { trustProxyValue } from '../app';
import type { Config } from '../config';

export function addressReader(config: Pick<Config, 'trustProxy'>): (req: IncomingMessage) => string {
  if (!config.trustProxy) return (req) => req.socket.remoteAddress ?? '';
  // A bare app only to borrow Express's compiled trust function and its req.ip getter.
  const app = express();
  app.set('trust proxy', trustProxyValue(config.trustProxy));
  return (req) => {
    const view = Object.create(app.request, { headers: { value: req.headers }, socket: { value: req.socket }, connection: { value: req.socket } });
    return (view as { ip?: string }).ip ?? req.socket.remoteAddress ?? '';
  };
}

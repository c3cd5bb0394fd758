// Which Host names the forum answers for when PUBLIC_URL is unset. Trusting any Host would let a page on another
// site whose name resolves to this machine (DNS rebinding) read and write as a local reader, and would put an
// attacker's name in the canonical links. So without PUBLIC_URL only the names a person uses to reach the forum
// directly are served: the loopback names, HOST, and the address the connection actually came in on, each with the
// port the forum listens on. Everything else is 421 Misdirected Request. With PUBLIC_URL set, links and the origin
// check use it and the Host header is not consulted.
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Config } from '../config';
import { HttpError } from './errors';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/** An address or name as it appears in a Host header: IPv6 in brackets, IPv4-mapped IPv6 as IPv4, lower case. */
function hostForm(address: string): string {
  const a = address.toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  return a.includes(':') && !a.startsWith('[') ? `[${a}]` : a;
}

/** True when the Host header names this forum: always with PUBLIC_URL, else one of the names above on our port. */
export function isServedHost(host: string | undefined, config: Pick<Config, 'publicUrl' | 'host'>, socket: Pick<IncomingMessage['socket'], 'localAddress' | 'localPort'>): boolean {
  if (config.publicUrl) return true;
  if (!host) return false;
  let url: URL;
  try {
    url = new URL(`http://${host}`);
  } catch {
    return false;
  }
  // `evil@localhost`, `localhost/x` and the like are not host names.
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return false;
  if ((url.port ? Number(url.port) : 80) !== socket.localPort) return false;
  const names = new Set(LOOPBACK);
  if (!WILDCARDS.has(config.host)) names.add(hostForm(config.host));
  if (socket.localAddress) names.add(hostForm(socket.localAddress));
  return names.has(url.hostname);
}

export const misdirected = () => new HttpError(421, 'MISDIRECTED_REQUEST', 'This server does not answer for that host name.');

/** 421 MISDIRECTED_REQUEST for pages and API asked for under a name that is not the forum's. */
export function hostCheck(config: Pick<Config, 'publicUrl' | 'host'>): RequestHandler {
  return (req, _res, next) => next(isServedHost(req.headers.host, config, req.socket) ? undefined : misdirected());
}

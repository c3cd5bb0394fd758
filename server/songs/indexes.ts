// The unique indexes (song slug, comment idempotency key, one vote/flag per member) must exist before the
// writes that rely on them; autoIndex builds them in the background, so writes await this once per connection.
import type { Connection } from 'mongoose';
import { commentModel, flagModel, postKeyModel, voteModel } from '../comments/model';
import { songModel } from './model';

const ready = new WeakMap<Connection, Promise<unknown>>();

export function threadIndexes(conn: Connection): Promise<unknown> {
  let p = ready.get(conn);
  if (!p) {
    p = Promise.all([songModel(conn).init(), commentModel(conn).init(), voteModel(conn).init(), flagModel(conn).init(), postKeyModel(conn).init()]);
    // A failed build is retried by the next write instead of being remembered.
    p.catch(() => ready.delete(conn));
    ready.set(conn, p);
  }
  return p;
}

// The embedded database's PostgreSQL backend (EMBEDDED_DB_POSTGRESQL_URL), on the PostgreSQL of TEST_POSTGRESQL_URL.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbedded, type EmbeddedDatabase } from '../../server/db/embedded';
import { embeddedAuth } from '../../server/db/resolve';
import { signUp } from '../helpers/accounts';
import { startTestForum, type TestForum } from '../helpers/forum';

// A server and a role that may create databases; each run makes its own database there and drops it after.
const PG = new URL(process.env.TEST_POSTGRESQL_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const psql = (...args: string[]) =>
  execFileSync(args[0], ['-h', PG.hostname, '-p', PG.port || '5432', '-U', decodeURIComponent(PG.username || 'postgres'), ...args.slice(1)], {
    encoding: 'utf8',
    env: { ...process.env, ...(PG.password ? { PGPASSWORD: decodeURIComponent(PG.password) } : {}) },
  });
/** The same server and role, on database `name`. */
const urlOf = (name: string) => Object.assign(new URL(PG.href), { pathname: `/${name}` }).href;

describe('the embedded database on PostgreSQL', function () {
  this.timeout(30_000);
  const name = `chorus_pg_${randomBytes(4).toString('hex')}`;
  let db: EmbeddedDatabase;
  let forum: TestForum;

  before(async () => {
    // FerretDB needs a UTF8 database with the C locale.
    psql('createdb', '-E', 'UTF8', '-T', 'template0', '--locale=C', name);
    const dir = mkdtempSync(join(tmpdir(), 'chorus-pg-'));
    db = await startEmbedded({ dataDir: join(dir, 'db'), postgresUrl: urlOf(name), lockFile: join(dir, 'db.lock'), auth: embeddedAuth(dir) });
    forum = await startTestForum({}, { mongodbUri: db.uri });
  });
  after(async () => {
    await forum?.close();
    await db?.stop();
    psql('dropdb', '--if-exists', name);
  });

  it('serves the forum and keeps documents in PostgreSQL', async () => {
    const health = await forum.agent().get('/healthz').expect(200);
    assert.equal(health.body.db, 'up');
    const client = await MongoClient.connect(db.uri);
    await client.db('chorus').collection('probe').insertOne({ title: 'Ünïcode façade', n: 1 });
    const found = await client.db('chorus').collection('probe').findOne({ n: 1 });
    assert.equal(found?.title, 'Ünïcode façade');
    await client.close();
    const tables = psql('psql', '-d', name, '-tAc', "select count(*) from information_schema.schemata where schema_name = 'chorus'");
    assert.equal(tables.trim(), '1');
  });

  it('reads a thread by single _id lookups there, which that backend serves from its index (an _id $in it would scan)', async () => {
    assert.equal(await forum.deps.db.idSetsFromIndex(), false);
    const admin = await signUp(forum, { role: 'admin' });
    const song = (await admin.agent.post('/api/songs').send({ title: 'On PostgreSQL', artist: 'The Backends' }).expect(201)).body as { slug: string };
    for (const body of ['one', 'two', 'three']) await admin.agent.post(`/api/songs/${song.slug}/comments`).send({ body }).expect(201);
    const page = (await forum.agent().get(`/api/songs/${song.slug}/comments`).expect(200)).body as { items: { body: string }[] };
    assert.deepEqual(page.items.map((c) => c.body), ['one', 'two', 'three']);
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommentDTO, SongDTO } from '../../shared/types';
import { testDatabaseUri } from '../helpers/database';
import { freshDbName, startTestForum, TEST_REDIS_URL, type TestForum } from '../helpers/forum';

const root = join(import.meta.dirname, '..', '..');
const fixture = (name: string) => join(root, 'test', 'fixtures', 'pages', name);

/** Runs `npm run import -- FILES` (the same entry point) against one database. */
function runImport(uri: string, files: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'server', 'cli', 'import.ts'), ...files],
      {
        cwd: root,
        env: { ...process.env, MONGODB_URI: uri, DATA_DIR: mkdtempSync(join(tmpdir(), 'chorus-import-')), LOG_LEVEL: 'silent', SESSION_SECRET: 'import-test-secret-import-test', ...env },
        timeout: 30_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('import command and the imported song through the API', () => {
  let forum: TestForum;
  let uri: string;
  before(async () => {
    const dbName = freshDbName('import');
    const u = new URL(await testDatabaseUri());
    u.pathname = `/${dbName}`;
    uri = u.toString();
    forum = await startTestForum({}, { dbName });
  });
  after(() => forum.close());

  it('imports the seed page, printing one line per song', async () => {
    const r = await runImport(uri, [fixture('seed-we-dont-talk-anymore.txt')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'created charlie-puth-we-dont-talk-anymore: 10 facts, 2 comments added');
  });

  it('shows the seed song through the API: title, artists, album, year, chart peaks and every fact', async () => {
    const s = (await forum.agent().get('/api/songs/charlie-puth-we-dont-talk-anymore').expect(200)).body as SongDTO;
    assert.equal(s.title, "We Don't Talk Anymore");
    assert.equal(s.artist, 'Charlie Puth');
    assert.deepEqual(s.featuring, ['Selena Gomez']);
    assert.equal(s.album, 'Nine Track Mind');
    assert.equal(s.year, 2016);
    assert.deepEqual(s.charts, [
      { region: 'UK', peak: 14 },
      { region: 'US', peak: 9 },
    ]);
    assert.equal(s.facts!.length, 10);
    assert.match(s.facts![0], /^Charlie Puth wrote this breakup song in Tokyo, Japan\.[^]*\n\n"I remember a conversation I had had with my friend,"/);
    assert.equal(s.facts![8].split('\n\n').length, 6);
    assert.equal(s.commentCount, 2);
    const found = (await forum.agent().get('/api/songs?q=selena').expect(200)).body.items as SongDTO[];
    assert.deepEqual(found.map((x) => x.slug), ['charlie-puth-we-dont-talk-anymore']);
  });

  it('shows both imported comments with name, location and text, in page order', async () => {
    const page = (await forum.agent().get('/api/songs/charlie-puth-we-dont-talk-anymore/comments').expect(200)).body;
    const items = page.items as CommentDTO[];
    assert.equal(page.total, 2);
    assert.deepEqual(
      items.map((c) => [c.author, c.body, c.parentId, c.status]),
      [
        [{ name: 'Olivia', location: 'I Dont Have One', userId: null, guest: true }, 'we dont talk anymore!!! like we used to do', null, 'visible'],
        [
          { name: 'Minh Tung', location: 'Vietnam', userId: null, guest: true },
          'Thanks for the story. Like I understand, the guy and the girl in this song still love each other but no one try to reconnect another because of shyness. Is it right?',
          null,
          'visible',
        ],
      ],
    );
  });

  it('imports the same file again as an update that adds nothing', async () => {
    const r = await runImport(uri, [fixture('seed-we-dont-talk-anymore.txt')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'updated charlie-puth-we-dont-talk-anymore: 10 facts, 0 comments added');
    const page = (await forum.agent().get('/api/songs/charlie-puth-we-dont-talk-anymore/comments').expect(200)).body;
    assert.equal(page.items.length, 2);
    assert.equal(page.total, 2);
  });

  it('reports bad files (exit 1, a line each) while still importing the good ones', async () => {
    const r = await runImport(uri, [fixture('not-a-song.txt'), fixture('one-chart-no-year.txt'), fixture('no-such-file.txt'), fixture('empty.txt')]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout.trim(), 'created the-quiet-harbour-paper-lanterns: 2 facts, 3 comments added');
    const errors = r.stderr.trim().split('\n');
    assert.equal(errors.length, 3, r.stderr);
    assert.match(errors[0], /not-a-song\.txt: not a song page: expected "by ARTIST".*; skipped$/);
    assert.match(errors[1], /no-such-file\.txt: no such file; skipped$/);
    assert.match(errors[2], /empty\.txt: not a song page: no title line; skipped$/);
    const s = (await forum.agent().get('/api/songs/the-quiet-harbour-paper-lanterns').expect(200)).body as SongDTO;
    assert.deepEqual(s.charts, [{ region: 'UK', peak: 7 }]);
    assert.equal((await forum.agent().get('/api/songs?limit=100').expect(200)).body.items.length, 2);
  });

  // Forums sharing a Redis take each counter's lock there (the embedded database's $inc is read-modify-write); an
  // import into their database takes the same locks, and without the Redis it was told of it imports nothing.
  it('imports through the counter locks with REDIS_URL, and refuses to import when that Redis is away', async function () {
    this.timeout(30_000);
    const away = await runImport(uri, [fixture('us-only-featuring-many.txt')], { REDIS_URL: 'redis://127.0.0.1:1' });
    assert.equal(away.code, 1);
    assert.match(away.stderr, /Redis \(REDIS_URL\) is not reachable/);
    assert.equal((await forum.agent().get('/api/songs?limit=100').expect(200)).body.items.length, 2, 'nothing imported');

    const r = await runImport(uri, [fixture('us-only-featuring-many.txt')], { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `test-import-${process.pid}` });
    assert.equal(r.code, 0, r.stderr);
    const [, slug, added] = /^created (\S+): \d+ facts?, (\d+) comments added$/.exec(r.stdout.trim()) ?? [];
    assert.ok(slug, r.stdout);
    const s = (await forum.agent().get(`/api/songs/${slug}`).expect(200)).body as SongDTO;
    assert.equal(s.commentCount, Number(added));
  });
});

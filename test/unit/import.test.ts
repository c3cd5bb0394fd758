import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCharts, parseSongPage, SongPageError } from '../../server/songs/import';
import { splitLocationAndBody } from '../../server/songs/glue';

const page = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'pages', name), 'utf8');

describe('song-page import: the seed page', () => {
  const p = parseSongPage(page('seed-we-dont-talk-anymore.txt'));

  it('reads title, artist, featured artist, album and year', () => {
    assert.equal(p.title, "We Don't Talk Anymore");
    assert.equal(p.artist, 'Charlie Puth');
    assert.deepEqual(p.featuring, ['Selena Gomez']);
    assert.equal(p.album, 'Nine Track Mind');
    assert.equal(p.year, 2016);
  });

  it('reads both chart peaks from the fixed UK/US columns', () => {
    assert.deepEqual(p.charts, [
      { region: 'UK', peak: 14 },
      { region: 'US', peak: 9 },
    ]);
  });

  it('reads all ten facts with their paragraphs joined by a blank line', () => {
    assert.equal(p.facts.length, 10);
    assert.match(p.facts[0], /^Charlie Puth wrote this breakup song in Tokyo, Japan\./);
    assert.equal(p.facts[0].split('\n\n').length, 2);
    assert.match(p.facts[0].split('\n\n')[1], /^"I remember a conversation/);
    assert.equal(p.facts[1].split('\n\n').length, 1);
    assert.equal(p.facts[8].split('\n\n').length, 6);
    assert.match(p.facts[9], /food poisoning/);
    assert.ok(p.facts.every((f) => !f.includes('•') && !f.includes('Play Video')));
  });

  it('splits both comments into name, location and text as a reader would', () => {
    assert.equal(p.declaredComments, 2);
    assert.deepEqual(p.comments, [
      { name: 'Olivia', location: 'I Dont Have One', body: 'we dont talk anymore!!! like we used to do' },
      {
        name: 'Minh Tung',
        location: 'Vietnam',
        body: 'Thanks for the story. Like I understand, the guy and the girl in this song still love each other but no one try to reconnect another because of shyness. Is it right?',
      },
    ]);
  });

  it('leaves the page furniture out', () => {
    const all = JSON.stringify(p);
    assert.doesNotMatch(all, /Editor's Picks|Fiona Apple|see more comments|Beach Boys/);
  });
});

describe('song-page import: pages that vary the format', () => {
  it('reads a page with no featuring, one chart number (UK) and an album without year', () => {
    const p = parseSongPage(page('one-chart-no-year.txt'));
    assert.equal(p.artist, 'The Quiet Harbour');
    assert.deepEqual(p.featuring, []);
    assert.equal(p.album, 'Low Tide Songs');
    assert.equal(p.year, null);
    assert.deepEqual(p.charts, [{ region: 'UK', peak: 7 }]);
    assert.equal(p.facts.length, 2);
    assert.equal(p.facts[1], 'This fact runs over two lines before its blank line.\n\nAnd this is its second paragraph.');
    assert.deepEqual(
      p.comments.map((c) => [c.name, c.location, c.body]),
      [
        ['Ana', 'São Paulo', 'Lindo demais, obrigada!'],
        ['Bob', 'New York, NY', 'Great song for a rainy day.'],
        ['Chen', 'the moon', 'I hear it up here too.'],
      ],
    );
  });

  it('reads several featured artists and a US-only chart (empty UK column)', () => {
    const p = parseSongPage(page('us-only-featuring-many.txt'));
    assert.deepEqual(p.featuring, ['Ada Lovelace', 'Grace Hopper', 'Alan Turing']);
    assert.equal(p.year, 1999);
    assert.deepEqual(p.charts, [{ region: 'US', peak: 12 }]);
    assert.equal(p.facts.length, 1);
    assert.deepEqual(p.comments, []);
  });

  it('reads written-out regions and many comments with odd locations', () => {
    const p = parseSongPage(page('labelled-charts-many-comments.txt'));
    assert.equal(p.artist, 'Aurora Test and the Borealis');
    assert.deepEqual(p.charts, [
      { region: 'UK', peak: 2 },
      { region: 'US', peak: 30 },
    ]);
    assert.equal(p.facts.length, 3);
    assert.deepEqual(
      p.comments.map((c) => [c.location, c.body]),
      [
        ['UK', 'I love this one.'],
        ['St. Louis', 'this is great'],
        ['Los Angeles, CA', 'what a tune'],
        ['Washington D.C.', 'Great song'],
        ['Paris, France', 'i think it is about winter.'],
        ['Texas', '2 years on repeat.'],
        ['McAllen, Texas', 'My dad played it daily.'],
        ['Stoke-on-Trent', 'Brilliant.'],
        ['I Dont Have One', 'we dont need one A second line of Tom\'s comment.'],
      ],
    );
  });

  it('refuses files that are not song pages, saying why', () => {
    assert.throws(() => parseSongPage(page('not-a-song.txt')), (e: unknown) => e instanceof SongPageError && /expected "by ARTIST"/.test(e.message));
    assert.throws(() => parseSongPage(page('empty.txt')), (e: unknown) => e instanceof SongPageError && /no title/.test(e.message));
    assert.throws(() => parseSongPage('Title\nby Someone\0\n'), SongPageError);
  });

  it('refuses a page cut short in its facts (no "Comments:" line), which would replace a song\'s facts with a part of them', () => {
    const seed = page('seed-we-dont-talk-anymore.txt');
    for (const cut of [300, seed.indexOf('Comments:') - 1]) {
      assert.throws(() => parseSongPage(seed.slice(0, cut)), (e: unknown) => e instanceof SongPageError && /ends inside its facts, before its "Comments:" line: is the file cut short\?/.test(e.message));
    }
    // Cut in its comments, it still reads: comments are only ever added, never taken away by an import.
    const inComments = parseSongPage(seed.slice(0, seed.indexOf('Comments:') + 200));
    assert.equal(inComments.facts.length, parseSongPage(seed).facts.length);
  });

  it('accepts Windows line ends and a byte-order mark', () => {
    const p = parseSongPage('\uFEFF' + page('one-chart-no-year.txt').replace(/\n/g, '\r\n'));
    assert.equal(p.title, 'Paper Lanterns');
    assert.equal(p.comments.length, 3);
  });
});

describe('song-page import: chart columns and glued locations', () => {
  it('tells the chart columns apart', () => {
    assert.deepEqual(parseCharts(' 14 9'), [
      { region: 'UK', peak: 14 },
      { region: 'US', peak: 9 },
    ]);
    assert.deepEqual(parseCharts(' 3'), [{ region: 'UK', peak: 3 }]);
    assert.deepEqual(parseCharts('    3'), [{ region: 'US', peak: 3 }]);
    assert.deepEqual(parseCharts(' US 1'), [{ region: 'US', peak: 1 }]);
    assert.deepEqual(parseCharts(''), []);
  });

  const cases: [string, string | null, string][] = [
    ['VietnamThanks for the story', 'Vietnam', 'Thanks for the story'],
    ['UKI\'m hooked', 'UK', "I'm hooked"],
    ['Rio de JaneiroMuito bom', 'Rio de Janeiro', 'Muito bom'],
    ['the middle of nowhereGreat song', 'the middle of nowhere', 'Great song'],
    ['Hollywoodso good', 'Hollywood', 'so good'],
    ['Berlin"Best song ever"', 'Berlin', '"Best song ever"'],
    ['OsloNice one, I heard it on YouTube', 'Oslo', 'Nice one, I heard it on YouTube'],
    ['DeKalb, IllinoisMy dad loved it', 'DeKalb, Illinois', 'My dad loved it'],
    ["Austin, TXfirst heard it in a film", 'Austin, TX', 'first heard it in a film'],
  ];
  for (const [glued, location, body] of cases) {
    it(`splits ${JSON.stringify(glued)}`, () => assert.deepEqual(splitLocationAndBody(glued), { location, body }));
  }
});

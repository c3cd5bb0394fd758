// Names as readers see them: invisible format characters (bidi overrides, zero-width characters) cannot make a name
// display as another, and the key that says "a reader could take one for the other" folds case, accents and forms.
import assert from 'node:assert/strict';
import { cleanName, nameKey } from '../../shared/names';
import { guestAuthor, registerInput, updateMeInput } from '../../shared/schemas';

describe('names', () => {
  const cleaned: [string, string, string][] = [
    ['a right-to-left override (shows "admin465")', '\u202E564nimda', '564nimda'],
    ['bidi embeddings and pops', '\u202Aad\u202Bmin\u202C', 'admin'],
    ['bidi isolates', '\u2066ad\u2067m\u2068in\u2069', 'admin'],
    ['left-to-right and right-to-left marks', '\u200Eadmin\u200F', 'admin'],
    ['zero-width space, non-joiner and joiner between letters', 'a\u200Bd\u200Cm\u200Din', 'admin'],
    ['a word joiner, soft hyphen and BOM', '\u2060ad\u00ADmin\uFEFF', 'admin'],
    ['tag characters', 'admin\u{E0041}\u{E007F}', 'admin'],
    ['control characters and line breaks', 'Ann\u0000\nfrom\u2028Leeds\u0007', 'Ann from Leeds'],
    ['runs of spaces, no-break spaces, outer spaces', '  Ann \u00A0\u3000 Lee  ', 'Ann Lee'],
    ['an emoji sequence keeps its joiner', 'Ann 👩\u200D💻', 'Ann 👩\u200D💻'],
    ['letters of any script stay', 'Zoë Ørsted 山田 אבי', 'Zoë Ørsted 山田 אבי'],
  ];
  for (const [what, input, want] of cleaned) {
    it(`cleanName: ${what}`, () => assert.equal(cleanName(input), want));
  }

  const sameKey: [string, string][] = [
    ['Admin', 'admin'],
    ['ÀDMÏN', 'admin'],
    ['ａｄｍｉｎ', 'admin'],
    ['\u202Eadmin', 'admin'],
    ['Zoë', 'zoe'],
    ['Zoe\u0308', 'zoe'],
  ];
  for (const [a, b] of sameKey) it(`nameKey: "${a}" reads as "${b}"`, () => assert.equal(nameKey(a), nameKey(b)));
  it('nameKey: different names keep different keys', () => {
    assert.notEqual(nameKey('Admin'), nameKey('Admiral'));
    assert.notEqual(nameKey('Ann Lee'), nameKey('AnnLee'));
  });

  it('the schemas clean guests\' and members\' names and places before their limits', () => {
    assert.deepEqual(guestAuthor.parse({ name: '\u202E564nimda', location: '\u2066Leeds\u2069' }), { name: '564nimda', location: 'Leeds' });
    assert.equal(guestAuthor.safeParse({ name: '\u202E\u200B' }).success, false, 'a name of invisible characters only is no name');
    assert.equal(registerInput.parse({ username: 'ann', password: 'x'.repeat(12), displayName: 'A\u200Bnn' }).displayName, 'Ann');
    assert.equal(updateMeInput.parse({ location: '\u202Ewon\u202C' }).location, 'won');
  });
});

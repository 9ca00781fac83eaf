import { expect } from 'chai';
import { normaliseDisplayName } from '@alcove/shared';

describe('display names', () => {
  it('trims and folds white space', () => {
    expect(normaliseDisplayName('  Zoë   Ortega ')).to.equal('Zoë Ortega');
  });
  it('counts characters, not UTF-16 units', () => {
    expect(normaliseDisplayName('😀'.repeat(40))).to.equal('😀'.repeat(40));
    expect(normaliseDisplayName('😀'.repeat(41))).to.equal(null);
  });
  it('refuses empty, control and bidi characters', () => {
    for (const bad of ['', '   ', 'a\u0000b', 'new\nline', 'Dr.\u202eSmith', 'x\u2066y', 'a\u200fb', '\ufeffname']) {
      expect(normaliseDisplayName(bad), JSON.stringify(bad)).to.equal(null);
    }
  });
});

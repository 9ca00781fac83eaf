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
  it('refuses names that would show as blank: default-ignorable code points, tag characters, blank symbols', () => {
    const blanks = ['\u200b', '\u200c', '\u200d', '\u2060', '\u3164', '\u2800', '\u{e0041}\u{e0042}', '\u206a\u206f', '\u115f', '\uffa0', '\u034f', '\u180e', '\u3000'];
    for (const blank of blanks) {
      expect(normaliseDisplayName(blank), JSON.stringify(blank)).to.equal(null);
      expect(normaliseDisplayName(`${blank}${blank}${blank}`), JSON.stringify(blank)).to.equal(null);
    }
    // Hidden inside an otherwise visible name (a different-looking twin of a real name).
    for (const hidden of ['\u200b', '\u2060', '\u{e0061}', '\u206b']) {
      expect(normaliseDisplayName(`Ana${hidden}`), JSON.stringify(hidden)).to.equal(null);
    }
  });
  it('accepts names in any script, with marks, emoji and variation selectors', () => {
    for (const name of ['Zoë', 'أحمد', '李小龍', 'Nguyễn Thị', 'नमस्ते', '❤️', 'Ana ❤️', '+', '…']) {
      expect(normaliseDisplayName(name), JSON.stringify(name)).to.equal(name.normalize('NFC'));
    }
  });
});

import { expect } from 'chai';
import {
  checkResource,
  checkResourceUrl,
  parseResourceList,
  resourceListAsText,
  RESOURCE_TITLE_MAX_CHARS,
  RESOURCE_URL_MAX_CHARS,
} from '../../shared/src/take-home-resources.ts';

describe('resources to take home: titles, links and the list', () => {
  it('accepts an https link and keeps it as the browser serialises it', () => {
    expect(checkResourceUrl('https://example.org/book?id=1#ch2')).to.deep.equal({ ok: true, url: 'https://example.org/book?id=1#ch2' });
    expect(checkResourceUrl('  HTTPS://Example.org  ')).to.deep.equal({ ok: true, url: 'https://example.org/' });
  });

  it('refuses anything but https, links with a user or password, and overlong or odd links', () => {
    for (const [link, problem] of [
      ['http://example.org/', 'url-not-https'],
      ['javascript:alert(1)', 'url-not-https'],
      ['data:text/html,<b>x</b>', 'url-not-https'],
      ['ftp://example.org/', 'url-not-https'],
      ['https://user:secret@example.org/', 'url-has-credentials'],
      ['https://user@example.org/', 'url-has-credentials'],
      ['example.org/book', 'url-invalid'],
      ['https://exa mple.org/', 'url-invalid'],
      ['https://example.org/\u202Egnp.exe', 'url-invalid'],
      [`https://example.org/${'a'.repeat(RESOURCE_URL_MAX_CHARS)}`, 'url-too-long'],
    ] as const) {
      expect(checkResourceUrl(link), link).to.deep.equal({ ok: false, problem });
    }
  });

  it('tidies a title and caps it', () => {
    expect(checkResource('  Come  as\u200B You Are\n', 'https://example.org/')).to.deep.equal({
      ok: true,
      resource: { title: 'Come as You Are', url: 'https://example.org/' },
    });
    expect(checkResource(' \u200B ', 'https://example.org/')).to.deep.equal({ ok: false, problem: 'title-missing' });
    expect(checkResource('é'.repeat(RESOURCE_TITLE_MAX_CHARS), 'https://example.org/').ok).to.equal(true);
    expect(checkResource('é'.repeat(RESOURCE_TITLE_MAX_CHARS + 1), 'https://example.org/')).to.deep.equal({ ok: false, problem: 'title-too-long' });
  });

  it('opens a list of up to five and refuses any other shape whole', () => {
    const one = { title: 'Sensate focus, step 1', url: 'https://example.org/sf1' };
    expect(parseResourceList({ v: 1, resources: [] })).to.deep.equal([]);
    expect(parseResourceList({ v: 1, resources: [one, one, one, one, one] })).to.have.length(5);
    for (const hostile of [
      null,
      [],
      'text',
      { v: 2, resources: [one] },
      { v: 1, resources: [one, one, one, one, one, one] },
      { v: 1, resources: [one], extra: true },
      { v: 1, resources: [{ ...one, html: '<img>' }] },
      { v: 1, resources: [{ title: 'x', url: 'http://example.org/' }] },
      { v: 1, resources: [{ title: '  padded ', url: 'https://example.org/' }] },
      { v: 1, resources: [{ title: 7, url: 'https://example.org/' }] },
      { v: 1, resources: [[one]] },
    ]) {
      expect(parseResourceList(hostile), JSON.stringify(hostile)).to.equal(null);
    }
  });

  it('writes the saved list as plain text, one resource per block', () => {
    expect(resourceListAsText('Resources from your session', [{ title: 'A book', url: 'https://example.org/a' }])).to.equal(
      'Resources from your session\n\nA book\nhttps://example.org/a\n',
    );
  });
});

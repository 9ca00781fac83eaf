import { expect } from 'chai';
import { en } from '../../client/src/i18n/messages-en.ts';
import { es } from '../../client/src/i18n/messages-es.ts';
import { chooseLocale } from '../../client/src/i18n/locale-choice.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/gu)].map((m) => m[1]).sort();

// Words that are the same in both languages, or names.
const SAME_IN_BOTH = new Set(['brand.console', 'brand.client', 'sessions.kindIndividual', 'create.individual', 'call.tile.other', 'intake.option.no', 'intake.option.no-partner']);

describe('client message catalogues (en, es)', () => {
  it('has every English key in Spanish and nothing more', () => {
    expect(Object.keys(es).sort()).to.deep.equal(Object.keys(en).sort());
  });

  it('uses the same {placeholders} in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(es[key]), key).to.deep.equal(placeholders(en[key]));
    }
  });

  it('has no empty strings, and Spanish is not a copy of the English', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(en[key].trim(), key).to.not.equal('');
      expect(es[key].trim(), key).to.not.equal('');
      if (!SAME_IN_BOTH.has(key)) expect(es[key], key).to.not.equal(en[key]);
    }
  });

  it('chooses the switch’s language first, then the browser’s, then English', () => {
    expect(chooseLocale(['es-MX', 'en'], null)).to.equal('es');
    expect(chooseLocale(['fr-FR', 'es'], null)).to.equal('es');
    expect(chooseLocale(['fr-FR', 'de'], null)).to.equal('en');
    expect(chooseLocale(['es-ES'], 'en')).to.equal('en');
    expect(chooseLocale(['en-GB'], 'es')).to.equal('es');
    expect(chooseLocale([], 'xx')).to.equal('en');
  });
});

import { expect } from 'chai';
import { en } from '../../client/src/i18n/messages-en.ts';
import { es } from '../../client/src/i18n/messages-es.ts';

/**
 * The Spanish catalogue's house style (docs/client.md, "Languages"): neutral Latin-American Spanish,
 * "usted" throughout, one word per thing. These are the slips a translation tends to make; each
 * rule names what to write instead, so a new string that trips it says how to fix itself.
 */
const WRONG: readonly { avoid: string; pattern: RegExp; why: string }[] = [
  { avoid: '"registrarse"', pattern: /registr|inscrib/iu, why: 'checking in is "anunciar su llegada" / "entrar a la sala de espera"; "registrarse" means signing up for an account' },
  { avoid: 'tú or vosotros', pattern: /(?<!\p{L})(tú|tu|tus|te|ti|contigo|puedes|quieres|tienes|estás|eres|vosotros|vuestr\p{L}*|os)(?!\p{L})/iu, why: 'clients and therapists are addressed as "usted"' },
  { avoid: '"vídeo"', pattern: /vídeo/iu, why: 'Latin-American Spanish writes "video" (videollamada)' },
  { avoid: '"pulse"', pattern: /(?<!\p{L})(pulse|pulsa|pulsar)(?!\p{L})/iu, why: '"pulsar" is Spain; write "haga clic" (or "toque")' },
  { avoid: '"ordenador" or "móvil"', pattern: /(?<!\p{L})(ordenador|móvil)(?!\p{L})/iu, why: 'Spain; write "computadora" / "teléfono"' },
  { avoid: '"pronto" for early or "caducar"', pattern: /un poco pronto|caduc/iu, why: '"temprano" for early, "vencer" for an expired link' },
  { avoid: 'another word for the therapist', pattern: /terapista|psicólog|doctor|médic/iu, why: 'the therapist is always "su terapeuta"' },
  { avoid: '"miembro" for a partner', pattern: /miembro|cónyuge/iu, why: 'each partner is "Persona 1" / "Persona 2"; the couple is "la pareja"' },
  { avoid: 'another word for the waiting room', pattern: /lobby|antesala/iu, why: 'the waiting room is "la sala de espera"' },
];

describe('the Spanish catalogue reads as a native speaker would write it', () => {
  for (const { avoid, pattern, why } of WRONG) {
    it(`never says ${avoid}: ${why}`, () => {
      const offending = Object.entries(es).filter(([, text]) => pattern.test(text)).map(([key, text]) => `${key}: ${text}`);
      expect(offending).to.deep.equal([]);
    });
  }

  it('calls checking in arriving in the waiting room, never signing up', () => {
    expect(es['checkIn.title']).to.equal('Anunciar su llegada');
    expect(es['checkIn.submit']).to.equal('Entrar a la sala de espera');
    expect(es['closed.early.body']).to.contain('anunciar su llegada');
  });

  it('names each partner of a couple the same neutral way', () => {
    expect(es['participant.partner']).to.equal('Persona {n}');
  });
});

/** axe's label-content-name-mismatch: a button's visible words must appear, in order, in its accessible name. */
const words = (text: string) => text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
const containsInOrder = (name: string[], label: string[]) =>
  name.some((_, start) => label.every((word, i) => name[start + i] === word));

describe('buttons named for a person keep their visible words in their name', () => {
  for (const [language, catalogue] of [['English', en], ['Spanish', es]] as const) {
    it(`in ${language}`, () => {
      const pairs = Object.keys(catalogue)
        .filter((key) => key.endsWith('Named') && key.slice(0, -'Named'.length) in catalogue)
        .map((key) => [key.slice(0, -'Named'.length), key] as const);
      expect(pairs.length).to.be.greaterThan(3);
      for (const [visibleKey, namedKey] of pairs) {
        const visible = catalogue[visibleKey as keyof typeof catalogue];
        const named = catalogue[namedKey as keyof typeof catalogue].replace('{who}', 'Persona 1');
        expect(containsInOrder(words(named), words(visible)), `${namedKey} "${named}" contains ${visibleKey} "${visible}"`).to.equal(true);
      }
    });
  }
});

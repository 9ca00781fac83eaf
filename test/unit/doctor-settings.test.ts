import { expect } from 'chai';
import { parseEnvText, parseLivekitWebhook } from '../../server/src/operations/doctor/gather-facts.ts';

describe('alcove doctor: reading the rendered files', () => {
  it('reads the webhook section of livekit.yaml and nothing else', () => {
    const yaml = ['room:', '  auto_create: false', 'webhook:', '  api_key: APIkey1', '  urls:', '    - http://127.0.0.1:8079/webhooks/livekit', 'logging:', '  level: info', ''].join('\n');
    expect(parseLivekitWebhook(yaml)).to.deep.equal({ apiKey: 'APIkey1', urls: ['http://127.0.0.1:8079/webhooks/livekit'] });
  });

  it('finds no webhook when livekit.yaml has none', () => {
    expect(parseLivekitWebhook('port: 7880\nlogging:\n  level: info\n')).to.deep.equal({ apiKey: undefined, urls: [] });
  });

  it('reads KEY=value lines, keeping "=" inside values and skipping comments', () => {
    expect(parseEnvText('# comment\nA=1\nLIVEKIT_KEYS=k: s==\n\nlower=ignored\n')).to.deep.equal({ A: '1', LIVEKIT_KEYS: 'k: s==' });
  });
});

/**
 * A minimal TURN client (RFC 5766 over UDP, long-term credentials) that allocates a relay on
 * LiveKit's embedded TURN server and asks for a permission towards each given peer. Run inside a
 * place's namespace with the credentials LiveKit handed a browser:
 *   tsx turn-probe.ts <server-ip> <port> <username> <password> <peer-ip>...
 * Prints JSON: { allocated, relayedAddress, permissions: { <peer-ip>: "granted" | "refused <code>" } }.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

const MAGIC_COOKIE = 0x2112a442;
const METHOD = { allocate: 0x003, createPermission: 0x008 } as const;
const ATTR = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  realm: 0x0014,
  nonce: 0x0015,
  xorPeerAddress: 0x0012,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
} as const;
const UDP_PROTOCOL = 17;

type Attribute = [type: number, value: Buffer];

function encodeAttributes(attributes: Attribute[]): Buffer {
  return Buffer.concat(
    attributes.map(([type, value]) => {
      const header = Buffer.alloc(4);
      header.writeUInt16BE(type, 0);
      header.writeUInt16BE(value.length, 2);
      return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
    }),
  );
}

function request(method: number, attributes: Attribute[], key: Buffer | null): { id: Buffer; bytes: Buffer } {
  const id = randomBytes(12);
  let body = encodeAttributes(attributes);
  const header = (length: number) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(method, 0); // class "request" is 0b00
    h.writeUInt16BE(length, 2);
    h.writeUInt32BE(MAGIC_COOKIE, 4);
    id.copy(h, 8);
    return h;
  };
  if (key) {
    // The HMAC covers the message with its length already counting the integrity attribute.
    const hmac = createHmac('sha1', key).update(Buffer.concat([header(body.length + 24), body])).digest();
    body = Buffer.concat([body, encodeAttributes([[ATTR.messageIntegrity, hmac]])]);
  }
  return { id, bytes: Buffer.concat([header(body.length), body]) };
}

interface Response {
  isSuccess: boolean;
  attributes: Map<number, Buffer>;
}

function parse(bytes: Buffer): Response {
  const type = bytes.readUInt16BE(0);
  const length = bytes.readUInt16BE(2);
  const attributes = new Map<number, Buffer>();
  let offset = 20;
  while (offset < 20 + length) {
    const attrType = bytes.readUInt16BE(offset);
    const attrLength = bytes.readUInt16BE(offset + 2);
    attributes.set(attrType, bytes.subarray(offset + 4, offset + 4 + attrLength));
    offset += 4 + attrLength + ((4 - (attrLength % 4)) % 4);
  }
  // Class bits (C1 at 0x100, C0 at 0x10): 0b10 = success response, 0b11 = error response.
  return { isSuccess: (type & 0x110) === 0x100, attributes };
}

function xorAddress(ip: string, port: number): Buffer {
  const value = Buffer.alloc(8);
  value.writeUInt8(0, 0);
  value.writeUInt8(0x01, 1);
  value.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2);
  const octets = ip.split('.').map(Number);
  const cookie = Buffer.alloc(4);
  cookie.writeUInt32BE(MAGIC_COOKIE, 0);
  for (let i = 0; i < 4; i += 1) value.writeUInt8(octets[i]! ^ cookie[i]!, 4 + i);
  return value;
}

function readXorAddress(value: Buffer): string {
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const cookie = Buffer.alloc(4);
  cookie.writeUInt32BE(MAGIC_COOKIE, 0);
  const ip = [0, 1, 2, 3].map((i) => value.readUInt8(4 + i) ^ cookie[i]!).join('.');
  return `${ip}:${port}`;
}

const errorCodeOf = (response: Response): number => {
  const value = response.attributes.get(ATTR.errorCode);
  return value ? value.readUInt8(2) * 100 + value.readUInt8(3) : 0;
};

async function main(): Promise<void> {
  const [server, portText, username, password, ...peers] = process.argv.slice(2);
  if (!server || !portText || !username || !password) throw new Error('usage: turn-probe <server-ip> <port> <username> <password> <peer-ip>...');
  const port = Number(portText);
  const socket = createSocket('udp4');
  const pending = new Map<string, (response: Response) => void>();
  socket.on('message', (bytes) => pending.get(bytes.subarray(8, 20).toString('hex'))?.(parse(bytes)));
  const send = (message: { id: Buffer; bytes: Buffer }) =>
    new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer from the TURN server')), 5_000);
      pending.set(message.id.toString('hex'), (response) => {
        clearTimeout(timer);
        resolve(response);
      });
      socket.send(message.bytes, port, server);
    });

  const transport = Buffer.from([UDP_PROTOCOL, 0, 0, 0]);
  const challenge = await send(request(METHOD.allocate, [[ATTR.requestedTransport, transport]], null));
  const realm = challenge.attributes.get(ATTR.realm) ?? Buffer.alloc(0);
  const nonce = challenge.attributes.get(ATTR.nonce) ?? Buffer.alloc(0);
  const key = createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest();
  const auth: Attribute[] = [
    [ATTR.username, Buffer.from(username)],
    [ATTR.realm, realm],
    [ATTR.nonce, nonce],
  ];
  const allocation = await send(request(METHOD.allocate, [[ATTR.requestedTransport, transport], ...auth], key));
  const result: { allocated: boolean; relayedAddress: string | null; permissions: Record<string, string> } = {
    allocated: allocation.isSuccess,
    relayedAddress: allocation.isSuccess ? readXorAddress(allocation.attributes.get(ATTR.xorRelayedAddress)!) : null,
    permissions: {},
  };
  if (allocation.isSuccess) {
    for (const peer of peers) {
      const answer = await send(request(METHOD.createPermission, [[ATTR.xorPeerAddress, xorAddress(peer, 9)], ...auth], key));
      result.permissions[peer] = answer.isSuccess ? 'granted' : `refused ${errorCodeOf(answer)}`;
    }
  } else {
    result.permissions.error = `allocation refused ${errorCodeOf(allocation)}`;
  }
  socket.close();
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`turn-probe: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

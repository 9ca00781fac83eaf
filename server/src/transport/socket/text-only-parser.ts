/**
 * Socket.io's own parser, refusing binary packets. Every Alcove payload is JSON;
 * binary attachments would let a 16 KiB message pull in ten more buffers of
 * 16 KiB each (about 150 KB), past every size cap the schemas enforce. A refused
 * packet is a protocol violation: Socket.io closes that connection, nothing else.
 */
import * as parser from 'socket.io-parser';

const BINARY_PACKET_TYPES = new Set([`${parser.PacketType.BINARY_EVENT}`, `${parser.PacketType.BINARY_ACK}`]);

class TextOnlyDecoder extends parser.Decoder {
  override add(chunk: unknown): void {
    if (typeof chunk !== 'string' || BINARY_PACKET_TYPES.has(chunk.charAt(0))) {
      throw new Error('binary packets are not accepted');
    }
    super.add(chunk);
  }
}

export const textOnlyParser = { ...parser, Decoder: TextOnlyDecoder };

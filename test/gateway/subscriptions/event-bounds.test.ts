import { describe, expect, it } from 'vitest';
import { EventBounds } from '#gateway/fetch/transports/sse/event-bounds.js';

/**
 * The size of each Server-Sent Event from a subgraph (sse/event-bounds.ts):
 * the bytes since the last blank line, whatever the line ends (LF, CRLF, CR)
 * and wherever the chunks split them. Through a subgraph:
 * test/gateway/subscriptions/event-limits.test.ts.
 */
const bytes = (text: string) => new TextEncoder().encode(text);

/** Whether `stream`, cut into chunks of `size` bytes, stays within `max` bytes per event. */
function within(stream: string, max: number, size: number): boolean {
  const bounds = new EventBounds(max);
  const all = bytes(stream);
  for (let at = 0; at < all.length; at += size) if (!bounds.take(all.subarray(at, at + size))) return false;
  return true;
}

const event = (data: string, end: string) => `event: next${end}data: ${data}${end}${end}`;

describe('each event held to its bound', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('counts each event apart, with %s line ends, however the chunks are cut', (_name, end) => {
    const one = event('x'.repeat(80), end);
    // An event's bytes, up to the blank line that ends it (a CRLF's LF is not counted).
    const max = one.length - end.length - (end === '\r\n' ? 2 : 0);
    const stream = one.repeat(50);
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      expect(within(stream, max, size)).toBe(true);
      // One event a byte larger than the bound is refused, wherever it comes.
      expect(within(one.repeat(10) + event('x'.repeat(81), end) + one, max, size)).toBe(false);
    }
  });

  it('a stream that never ends its event is refused once it passes the bound', () => {
    expect(within(`data: ${'x'.repeat(1_000)}`, 2_000, 100)).toBe(true);
    expect(within(`data: ${'x'.repeat(3_000)}`, 2_000, 100)).toBe(false);
    // Many lines, no blank one: one event.
    expect(within('data: x\n'.repeat(500), 2_000, 64)).toBe(false);
  });

  it('CR then LF in separate chunks is one line end, not a blank line', () => {
    const bounds = new EventBounds(20);
    expect(bounds.take(bytes('data: 0123456789\r'))).toBe(true);
    // Were this LF a blank line, the event would restart at 0 and pass.
    expect(bounds.take(bytes('\ndata: 0123'))).toBe(false);
  });
});

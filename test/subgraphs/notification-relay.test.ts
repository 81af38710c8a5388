import { describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { SessionNotifications, type SessionNotification } from '#lib/db-notifications.js';
import { listenCommand, NotificationRelay, notificationResponse } from '#lib/db-socket-relay.js';

/**
 * The pieces of the embedded database's socket server that read LISTEN from a
 * client's messages and write NotificationResponses to it (end to end, in
 * subscriptions.test.ts, through a second reviews replica).
 */
const message = (type: string, ...parts: string[]) => {
  const body = Buffer.concat(parts.map((part) => Buffer.from(`${part}\0`)));
  const bytes = Buffer.alloc(5 + body.length);
  bytes.write(type, 0);
  bytes.writeInt32BE(4 + body.length, 1);
  body.copy(bytes, 5);
  return new Uint8Array(bytes);
};

describe('listenCommand', () => {
  it('reads LISTEN and UNLISTEN from simple queries and Parse messages, folding bare names as Postgres does', () => {
    expect(listenCommand(message('Q', 'LISTEN Junction_Events'))).toEqual({ listen: true, channel: 'junction_events' });
    // postgres.js's sql.listen: an unnamed Parse with a quoted name.
    expect(listenCommand(message('P', '', 'listen "Mixed ""Case"""'))).toEqual({ listen: true, channel: 'Mixed "Case"' });
    expect(listenCommand(message('Q', ' unlisten junction_events;'))).toEqual({ listen: false, channel: 'junction_events' });
    expect(listenCommand(message('Q', 'UNLISTEN *'))).toEqual({ listen: false, channel: '*' });
  });

  it('ignores every other statement and message', () => {
    expect(listenCommand(message('Q', "select 'listen x'"))).toBeUndefined();
    expect(listenCommand(message('Q', 'LISTEN a; NOTIFY a'))).toBeUndefined();
    expect(listenCommand(message('P', 'named', 'select 1'))).toBeUndefined();
    expect(listenCommand(message('S'))).toBeUndefined();
  });
});

describe('notificationResponse', () => {
  it('is the message a server sends: A, its length, a pid, the channel and the payload', () => {
    const bytes = Buffer.from(notificationResponse('junction_reviews_review_added', '{"id":1}'));
    expect(String.fromCharCode(bytes[0]!)).toBe('A');
    expect(bytes.readInt32BE(1)).toBe(bytes.length - 1);
    expect(bytes.subarray(9).toString()).toBe('junction_reviews_review_added\0{"id":1}\0');
  });
});

describe('NotificationRelay', () => {
  it('finds a notification in an answer cut at every byte, and writes it to the other clients listening on its channel', async () => {
    const pglite = await PGlite.create();
    try {
      const session = new SessionNotifications(pglite);
      const heard: SessionNotification[] = [];
      session.subscribe((notification) => heard.push(notification));
      const relay = new NotificationRelay(session);
      const written: { client: number; bytes: Buffer }[] = [];
      for (const client of [1, 2, 3]) {
        relay.sent(client, message('P', '', client === 3 ? 'listen "other"' : 'listen "reviews"'), (bytes) => written.push({ client, bytes: Buffer.from(bytes) }));
      }

      // Client 1 committed a NOTIFY: its answer carries the notification among other messages.
      const answer = Buffer.concat([message('C', 'SELECT 1'), notificationResponse('reviews', '{"id":7}'), message('Z', '')].map((part) => Buffer.from(part)));
      for (const byte of answer) relay.received(1, new Uint8Array([byte]));

      expect(heard).toEqual([{ channel: 'reviews', payload: '{"id":7}', from: 1 }]);
      // Client 1 has it in its answer already; client 3 listens elsewhere.
      expect(written).toEqual([{ client: 2, bytes: Buffer.from(notificationResponse('reviews', '{"id":7}')) }]);

      relay.forget(2);
      relay.received(1, notificationResponse('reviews', '{"id":8}'));
      expect(written).toHaveLength(1);
    } finally {
      await pglite.close();
    }
  });
});

/**
 * The size of each Server-Sent Event in a stream, as it arrives: the bytes
 * since the last blank line, which ends an event. graphql-sse's client holds
 * an event until its end, so a subgraph sending one without end would grow
 * the gateway's memory without bound; over graphql-ws, ws's maxPayload is
 * that bound. Line ends are LF, CRLF or CR, as the SSE standard has them, and
 * may be split between chunks.
 */
const LF = 10;
const CR = 13;

export class EventBounds {
  /** Bytes of the event under way. */
  private size = 0;
  /** Bytes of the line under way. */
  private line = 0;
  /** The last line ended with CR: an LF right after it ends no further line. */
  private afterCR = false;

  constructor(private readonly maxEventBytes: number) {}

  /** Counts `chunk`; false once an event has passed maxEventBytes. */
  take(chunk: Uint8Array): boolean {
    let at = 0;
    while (at < chunk.length) {
      const lf = chunk.indexOf(LF, at);
      const cr = chunk.indexOf(CR, at);
      const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (end === -1) {
        this.size += chunk.length - at;
        this.line += chunk.length - at;
        this.afterCR = false;
        break;
      }
      const bytes = end - at;
      if (bytes === 0 && this.afterCR && chunk[end] === LF) {
        // The LF of a CRLF: the line already ended (and a blank line's LF is no byte of the next event).
        this.afterCR = false;
      } else {
        this.size += bytes + 1;
        this.line += bytes;
        // A blank line ends the event: the next one starts from nothing.
        if (this.line === 0) this.size = 0;
        this.line = 0;
        this.afterCR = chunk[end] === CR;
      }
      if (this.size > this.maxEventBytes) return false;
      at = end + 1;
    }
    return this.size <= this.maxEventBytes;
  }
}

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * What subscriptions do, for /metrics: WebSocket connections open, the
 * subscriptions active by operation and protocol, the events delivered, and
 * each event's latency from the subgraph's event reaching the gateway to its
 * answer (the rest of the plan run) handed to the client's socket.
 */
export type SubscriptionMetrics = {
  connection(): () => void;
  /** A subscription started; the function returned counts its end. */
  opened(operation: string | undefined, protocol: SubscriptionProtocol): () => void;
  /** One event written to the client, `seconds` after the subgraph's event arrived (undefined when not known). */
  delivered(operation: string | undefined, protocol: SubscriptionProtocol, seconds: number | undefined): void;
};

export type SubscriptionProtocol = 'graphql-ws' | 'sse' | 'multipart';

const EVENT_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createSubscriptionMetrics(registry: Registry): SubscriptionMetrics {
  const registers = [registry];
  const connections = new Gauge({ name: 'junction_gateway_websocket_connections', help: 'WebSocket connections open (graphql-ws).', registers });
  const active = new Gauge({
    name: 'junction_gateway_subscriptions_active',
    help: 'Subscriptions open, by operation name and protocol (graphql-ws, sse, multipart).',
    labelNames: ['operation', 'protocol'],
    registers,
  });
  const events = new Counter({
    name: 'junction_gateway_subscription_events_total',
    help: 'Subscription events delivered to clients, by operation name and protocol.',
    labelNames: ['operation', 'protocol'],
    registers,
  });
  const latency = new Histogram({
    name: 'junction_gateway_subscription_event_seconds',
    help: 'From a subgraph event reaching the gateway to its answer, with the rest of the plan run, written to the client.',
    buckets: EVENT_SECONDS,
    registers,
  });
  return {
    connection() {
      connections.inc();
      let open = true;
      return () => {
        if (open) connections.dec();
        open = false;
      };
    },
    opened(operation, protocol) {
      const labels = { operation: operation ?? 'unknown', protocol };
      active.inc(labels);
      let open = true;
      return () => {
        if (open) active.dec(labels);
        open = false;
      };
    },
    delivered(operation, protocol, seconds) {
      events.inc({ operation: operation ?? 'unknown', protocol });
      if (seconds !== undefined) latency.observe(seconds);
    },
  };
}

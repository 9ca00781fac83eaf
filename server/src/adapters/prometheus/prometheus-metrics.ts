/**
 * The prom-client side of observability/metrics.ts: one registry per app (several apps share a
 * test process, and prom-client's global registry would mix them), Node's default metrics
 * (event-loop lag, heap, CPU, file descriptors) and Alcove's series. Every label is a closed set
 * of words (role, holder, cause, connection name): no series can carry a person.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InstanceCensus, Metrics } from '../../observability/metrics.ts';

/** Token issue latency buckets in seconds: the goal is p99 ≤ 250 ms, the console gives up at 8 s. */
const TOKEN_ISSUE_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface PrometheusMetrics {
  metrics: Metrics;
  /** Where the gauges read this instance's state at scrape time (set once the socket server exists). */
  setCensus(census: InstanceCensus): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createPrometheusMetrics(): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let census: InstanceCensus | null = null;
  /** One read of the stored states per scrape, shared by both gauges that need it. */
  let clientStates: Promise<{ waiting: number; liveSessions: number } | null> | null = null;
  const readClientStates = () => {
    clientStates ??= (census ? census.clientStates() : Promise.resolve(null))
      .catch(() => null)
      .finally(() => setTimeout(() => (clientStates = null), 0));
    return clientStates;
  };

  const admissions = new Counter({ name: 'alcove_admissions_total', help: 'Clients admitted from the waiting room by a therapist on this instance.', registers: [registry] });
  const tokenIssue = new Histogram({
    name: 'alcove_token_issue_seconds',
    help: 'Time from a media token request to the signed token (successful requests only).',
    labelNames: ['holder'],
    buckets: TOKEN_ISSUE_BUCKETS_S,
    registers: [registry],
  });
  const redisErrors = new Counter({
    name: 'alcove_redis_errors_total',
    help: 'Redis connection errors and failed or timed-out commands, by connection (main, socket-adapter, cli).',
    labelNames: ['connection'],
    registers: [registry],
  });
  const takeOvers = new Counter({
    name: 'alcove_instance_takeovers_total',
    help: 'Times this instance took over the clients of another instance: cause="drained" after its SIGTERM, "silent" after it died or froze.',
    labelNames: ['cause'],
    registers: [registry],
  });
  const draining = new Gauge({ name: 'alcove_draining', help: '1 while this instance is shutting down (SIGTERM), else 0.', registers: [registry] });
  draining.set(0);
  // Every series exists from the start at 0, so rate() and increase() see the first event.
  for (const connection of ['main', 'socket-adapter']) redisErrors.inc({ connection }, 0);
  for (const cause of ['drained', 'silent']) takeOvers.inc({ cause }, 0);
  for (const holder of ['client', 'therapist']) tokenIssue.zero({ holder });
  new Gauge({
    name: 'alcove_sockets',
    help: 'Open Socket.io connections on this instance, by role.',
    labelNames: ['role'],
    registers: [registry],
    collect() {
      const counts = census?.socketsByRole() ?? { client: 0, therapist: 0 };
      this.set({ role: 'client' }, counts.client);
      this.set({ role: 'therapist' }, counts.therapist);
    },
  });
  new Gauge({
    name: 'alcove_waiting_clients',
    help: 'Clients connected to this instance that are in the waiting room (read from Redis at scrape; absent while Redis does not answer).',
    registers: [registry],
    async collect() {
      const states = await readClientStates();
      if (states) this.set(states.waiting);
      else this.reset();
    },
  });
  new Gauge({
    name: 'alcove_live_sessions',
    help: 'Live sessions with at least one client connected to this instance (read from Redis at scrape).',
    registers: [registry],
    async collect() {
      const states = await readClientStates();
      if (states) this.set(states.liveSessions);
      else this.reset();
    },
  });

  return {
    metrics: {
      countAdmission: () => admissions.inc(),
      observeTokenIssue: (holder, durationMs) => tokenIssue.observe({ holder }, durationMs / 1000),
      countRedisError: (connection) => redisErrors.inc({ connection }),
      countTakeOver: (cause) => takeOvers.inc({ cause }),
      markDraining: () => draining.set(1),
    },
    setCensus(value) {
      census = value;
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

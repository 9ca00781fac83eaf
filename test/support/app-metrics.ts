/** Reading an app's Prometheus exposition (its own METRICS_PORT), as an operator's scraper would. */

/** One sample of the exposition text: `name{a="b",…} value`; undefined when no series matches. */
export function metricSample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/u.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/gu)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** Scrapes the metrics port on loopback and reads one sample; fails loudly when the series is missing. */
export async function readMetric(metricsPort: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const value = metricSample(await response.text(), name, labels);
  if (value === undefined) throw new Error(`no ${name}${JSON.stringify(labels)} in /metrics`);
  return value;
}
